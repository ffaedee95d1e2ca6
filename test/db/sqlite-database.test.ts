import t from 'tap'
import { callDatabase } from '../../src/commands/call-database.js'
import { registerContract } from '../../src/commands/register.js'
import { local as registerLocal } from '../../src/commands/register.local.js'
import { sql, type DatabaseContract } from '../../src/db/contract.js'
import { DatabaseContractError } from '../../src/db/database.js'
import { openSqliteDatabase } from '../../src/db/sqlite-database.js'
import { testConfig } from '../helper.js'

const settings = testConfig({ DEV_ACCOUNTS: 'demo:demo-token' }).database
const request = { telegramUserId: 7, telegramChatId: 7, username: 'demo', token: 'demo-token' }

t.test('a contract runs its local implementation under its name, through its outcome; values are checked as on SQL Server', async (t) => {
  const database = openSqliteDatabase(':memory:', settings, [registerLocal])
  t.teardown(async () => { await database.close() })
  t.equal(await database.call(registerContract, request), 'registered')
  t.equal(await database.call(registerContract, { ...request, token: 'wrong' }), 'rejected')
  await t.rejects(database.call(registerContract, { ...request, token: 'x'.repeat(513) }), new DatabaseContractError('dbo.PartyTelegramUser_REGISTER_tr: the value for @Token does not fit nvarchar(512) (value withheld); the command must refuse it before calling'))
  t.same(database.database.prepare('SELECT outcome FROM registration_attempt ORDER BY id').all(), [{ outcome: 'registered' }, { outcome: 'rejected' }])
})

t.test('a contract without a local implementation fails naming it', async (t) => {
  const database = openSqliteDatabase(':memory:', settings, [])
  t.teardown(async () => { await database.close() })
  await t.rejects(database.call(registerContract, request), /^dbo\.PartyTelegramUser_REGISTER_tr: no local implementation; its command's \.local\.ts must export one under this name$/)
})

t.test('a contract that writes must map its answer to what the ledger stores; one that reads may map it to anything', async (t) => {
  const database = openSqliteDatabase(':memory:', settings, [{ schema: '', implementations: { 'dbo.Rows_tr': () => ({ output: {}, rows: [{ A: 1 }] }) } }])
  t.teardown(async () => { await database.close() })
  const steps: string[] = []
  const invocation = {
    ctx: { update: { update_id: 1 } },
    app: { database, updateLedger: { once: async (_id: number, step: string, work: () => Promise<unknown>) => { steps.push(step); return { result: await work(), remembered: false } } } }
  } as never
  const rowsContract = (effect: 'reads' | 'writes'): DatabaseContract<object, unknown> => ({ name: 'dbo.Rows_tr', kind: 'procedure', parameters: [{ name: 'A', type: sql.int(), from: () => 1 }], effect, outcome: (answer) => answer.rows })
  t.same(await callDatabase(invocation, rowsContract('reads'), {}), { outcome: [{ A: 1 }], remembered: false })
  t.same(steps, [], 'no ledger step for a read')
  await t.rejects(callDatabase(invocation, rowsContract('writes'), {}), /^dbo\.Rows_tr: a contract that writes must map its answer to a string, number or boolean, which the update ledger stores$/)
  t.same(steps, ['procedure'], 'a write goes through the ledger\'s procedure step')
})
