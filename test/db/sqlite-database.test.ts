import t from 'tap'
import { callDatabase } from '../../src/commands/call-database.js'
import { registerContract } from '../../src/commands/register.js'
import { local as registerLocal } from '../../src/commands/register.local.js'
import { sql, type DatabaseAnswer, type DatabaseContract } from '../../src/db/contract.js'
import { AnswerUnreadableError, DatabaseContractError } from '../../src/db/database.js'
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

t.test('a local implementation answers in SQLite\'s values; the command gets the port\'s, as from SQL Server', async (t) => {
  const database = openSqliteDatabase(':memory:', settings, [{
    schema: '',
    implementations: {
      'dbo.Bet_GET_tr': (database) => ({
        returnValue: 0,
        output: { stake: 25 },
        rows: database.prepare(`SELECT 9007199254740993 AS BetId, '12.5' AS Stake, 1 AS Boosted, 0 AS Settled, 7 AS Odds,
          '2026-11-28T18:00:00.000Z' AS PlacedAt, 'Reds' AS Event, NULL AS Note, 'internal' AS Undeclared`).safeIntegers(true).all() as Array<Record<string, unknown>>
      }),
      'dbo.Wide_tr': () => ({ rows: [{ Stake: '12.345' }] }),
      'dbo.Limit_fn': () => ({ value: 0.1 }),
      'dbo.Refused_tr': () => ({ raisedError: 50001, rows: [{ Stake: 'never read' }] }),
      'dbo.When_tr': () => ({ returnValue: 1, output: { At: 'next Tuesday' } })
    }
  }])
  t.teardown(async () => { await database.close() })
  const answerOf = (answer: DatabaseAnswer): DatabaseAnswer => answer
  const stake = { name: 'Stake', type: sql.decimal(18, 2), nullable: false }
  const bet: DatabaseContract<object, DatabaseAnswer> = {
    name: 'dbo.Bet_GET_tr',
    kind: 'procedure',
    parameters: [{ name: 'Stake', type: sql.decimal(18, 2), from: () => null, output: true }],
    resultColumns: [
      { name: 'BetId', type: sql.bigint(), nullable: false }, stake, { name: 'Boosted', type: sql.bit(), nullable: false },
      { name: 'Settled', type: sql.bit(), nullable: false }, { name: 'Odds', type: sql.int(), nullable: false },
      { name: 'PlacedAt', type: sql.datetime2(3), nullable: false }, { name: 'Event', type: sql.nvarchar(100), nullable: false },
      { name: 'Note', type: sql.nvarchar(100), nullable: true }
    ],
    effect: 'reads',
    outcome: answerOf
  }
  t.same(await database.call(bet, {}), {
    returnValue: 0,
    output: { Stake: '25.00' },
    rows: [{ BetId: '9007199254740993', Stake: '12.50', Boosted: true, Settled: false, Odds: 7, PlacedAt: new Date('2026-11-28T18:00:00.000Z'), Event: 'Reds', Note: null }]
  }, 'declared columns only, each in the port\'s form')
  const wide: DatabaseContract<object, DatabaseAnswer> = { name: 'dbo.Wide_tr', kind: 'procedure', parameters: [], resultColumns: [stake], effect: 'reads', outcome: answerOf }
  await t.rejects(database.call(wide, {}), new AnswerUnreadableError('dbo.Wide_tr: Stake holds a decimal with more places than the declared scale 2, which would be rounded (value withheld); run `npm run db:verify` against this database'))
  const limit: DatabaseContract<object, DatabaseAnswer> = { name: 'dbo.Limit_fn', kind: 'scalar-function', parameters: [], returns: sql.decimal(9, 4), effect: 'reads', outcome: answerOf }
  t.same(await database.call(limit, {}), { output: {}, rows: [], value: '0.1000' })
  const refused: DatabaseContract<object, DatabaseAnswer> = { name: 'dbo.Refused_tr', kind: 'procedure', parameters: [], resultColumns: [stake], effect: 'writes', outcome: answerOf }
  t.same(await database.call(refused, {}), { output: {}, rows: [], raisedError: 50001 }, 'a raised error is the whole answer')
  const when: DatabaseContract<object, DatabaseAnswer> = { name: 'dbo.When_tr', kind: 'procedure', parameters: [{ name: 'At', type: sql.datetime2(0), from: () => null, output: true }], effect: 'reads', outcome: answerOf }
  await t.rejects(database.call(when, {}), new AnswerUnreadableError('dbo.When_tr: @At holds no datetime2 the port can read (value withheld)'))
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
  const rowsContract = (effect: 'reads' | 'writes'): DatabaseContract<object, unknown> => ({ name: 'dbo.Rows_tr', kind: 'procedure', parameters: [{ name: 'A', type: sql.int(), from: () => 1 }], resultColumns: [{ name: 'A', type: sql.int(), nullable: false }], effect, outcome: (answer) => answer.rows })
  t.same(await callDatabase(invocation, rowsContract('reads'), {}), { outcome: [{ A: 1 }], remembered: false })
  t.same(steps, [], 'no ledger step for a read')
  await t.rejects(callDatabase(invocation, rowsContract('writes'), {}), /^dbo\.Rows_tr: a contract that writes must map its answer to a string, number or boolean, which the update ledger stores$/)
  t.same(steps, ['procedure'], 'a write goes through the ledger\'s procedure step')
})
