import { inspect } from 'node:util'
import t, { type Test } from 'tap'
import { sql, type DatabaseAnswer, type DatabaseContract } from '../../src/db/contract.js'
import { AnswerUnreadableError, DatabaseContractError } from '../../src/db/database.js'
import { TransientError } from '../../src/errors.js'
import { mssqlOnResponder, type MssqlOnResponder } from '../support/mssql.js'

// The port's SQL Server adapter with contracts of every kind, through the real mssql driver against the
// TDS responder: what goes on the wire, and what the contract's outcome is given.

const setUp = async (t: Test): Promise<MssqlOnResponder> => await mssqlOnResponder(t, 'Connect Timeout=1;Request Timeout=1000')

const answerOf = (answer: DatabaseAnswer): DatabaseAnswer => answer

const withOutput: DatabaseContract<{ stake: string }, DatabaseAnswer> = {
  name: 'dbo.Bet_PLACE_tr',
  kind: 'procedure',
  parameters: [
    { name: 'Stake', type: sql.decimal(18, 2), from: (input) => input.stake },
    { name: 'BetId', type: sql.bigint(), from: () => null, output: true },
    { name: 'Balance', type: sql.decimal(18, 2), from: () => null, output: true }
  ],
  effect: 'writes',
  outcome: answerOf
}

t.test('a procedure: decimal input sent exact, OUTPUT parameters and the return value read back', async (t) => {
  const { responder, database } = await setUp(t)
  responder.reply = { returnStatus: 3, output: { BetId: '9223372036854775806', Balance: '-12.30' } }
  const answer = await database.call(withOutput, { stake: '25.05' })
  t.same(answer, { returnValue: 3, output: { BetId: '9223372036854775806', Balance: '-12.30' }, rows: [] })
  responder.reply = { returnStatus: 0, output: { betId: '7', BALANCE: '0.05' } }
  t.same((await database.call(withOutput, { stake: '25.05' })).output, { BetId: '7', Balance: '0.05' }, 'OUTPUT values spelled otherwise by the server are read')
  t.match(responder.calls[0]?.parameters, [
    { name: '@Stake', type: 'DECIMALN', precision: 18, scale: 2, value: '25.05' },
    { name: '@BetId', type: 'INTN', length: 8, output: true },
    { name: '@Balance', type: 'DECIMALN', output: true }
  ])
})

t.test('a scalar function: SELECT dbo.f(@…) through sp_executesql, its value as the port gives it', async (t) => {
  const { responder, database } = await setUp(t)
  const limit: DatabaseContract<{ userId: number, day: Date }, DatabaseAnswer> = {
    name: 'dbo.PartyStakeLimit_fn',
    kind: 'scalar-function',
    parameters: [
      { name: 'TelegramUserId', type: sql.bigint(), from: (input) => input.userId },
      { name: 'Day', type: sql.datetime2(0), from: (input) => input.day }
    ],
    returns: sql.decimal(9, 4),
    effect: 'reads',
    outcome: answerOf
  }
  responder.reply = { resultSets: [{ columns: [{ name: 'value', type: sql.decimal(9, 4), nullable: true }], rows: [{ value: '0.1000' }] }] }
  t.same(await database.call(limit, { userId: 42, day: new Date('2026-12-05T00:00:00Z') }), { output: {}, rows: [], value: '0.1000' })
  t.equal(responder.calls[0]?.statement, 'SELECT dbo.PartyStakeLimit_fn(@TelegramUserId, @Day) AS [value]')
  responder.reply = { resultSets: [{ columns: [{ name: 'value', type: sql.decimal(9, 4), nullable: true }], rows: [{ value: null }] }] }
  t.same((await database.call(limit, { userId: 42, day: new Date() })).value, null, 'NULL is null')
})

t.test('an error the object raises (≥ 50000) is handed to the outcome; a decimal beyond the exact bound fails naming the column, never the value', async (t) => {
  const { responder, database } = await setUp(t)
  responder.reply = { raise: [{ number: 50010, class: 16, message: 'Stake above the limit 25.05' }] }
  t.same(await database.call(withOutput, { stake: '25.05' }), { output: {}, rows: [], raisedError: 50010 })
  responder.reply = { raise: [{ number: 50011, class: 16, message: 'Party closed' }, { number: 50012, class: 16, message: 'Logged after it' }] }
  t.same(await database.call(withOutput, { stake: '25.05' }), { output: {}, rows: [], raisedError: 50011 }, 'the first the object raised')

  const wide: DatabaseContract<Record<string, never>, DatabaseAnswer> = {
    name: 'dbo.Totals_tf', kind: 'table-function', parameters: [], resultColumns: [{ name: 'Total', type: sql.decimal(18, 2), nullable: false }], effect: 'reads', outcome: answerOf
  }
  responder.reply = { resultSets: [{ columns: wide.kind === 'table-function' ? wide.resultColumns : [], rows: [{ Total: '99999999999999.99' }] }] }
  const error: unknown = await database.call(wide, {}).then(() => undefined, (thrown: unknown) => thrown)
  t.type(error, AnswerUnreadableError)
  t.match((error as Error).message, /^dbo\.Totals_tf: Total holds a decimal beyond the 2251799813685248 units the port reads exactly \(value withheld\)$/)
  t.notOk(inspect(error).includes('9999999999'), 'the value is not in the error')
})

t.test('a decimal with more places than its declared scale fails naming the column, instead of being rounded', async (t) => {
  const { responder, database } = await setUp(t)
  const totals: DatabaseContract<Record<string, never>, DatabaseAnswer> = {
    name: 'dbo.Totals_tf', kind: 'table-function', parameters: [], resultColumns: [{ name: 'Total', type: sql.decimal(18, 2), nullable: false }], effect: 'reads', outcome: answerOf
  }
  // The object now returns decimal(18,4), the contract still says decimal(18,2).
  const widened = [{ name: 'Total', type: sql.decimal(18, 4), nullable: false }]
  responder.reply = { resultSets: [{ columns: widened, rows: [{ Total: '1234.5678' }] }] }
  const error: unknown = await database.call(totals, {}).then(() => undefined, (thrown: unknown) => thrown)
  t.type(error, AnswerUnreadableError)
  t.equal((error as Error).message, 'dbo.Totals_tf: Total holds a decimal with more places than the declared scale 2, which would be rounded (value withheld); run `npm run db:verify` against this database')
  t.notOk(inspect(error).includes('1234'), 'the value is not in the error')
  responder.reply = { resultSets: [{ columns: widened, rows: [{ Total: '22517998136852.4700' }, { Total: '-0.1000' }] }] }
  t.same((await database.call(totals, {})).rows, [{ Total: '22517998136852.47' }, { Total: '-0.10' }], 'places beyond the scale that are zeros lose nothing')
})

t.test('an outcome mapping that throws on the answer fails as an unreadable answer, naming its kind only', async (t) => {
  const { responder, database } = await setUp(t)
  const strict: DatabaseContract<{ stake: string }, string> = {
    ...withOutput,
    outcome: ({ output }) => { if (typeof output.Balance !== 'string') throw new TypeError(`no balance for stake ${String(output.Stake)} 25.05`); return 'placed' }
  }
  responder.reply = { returnStatus: 0, output: { BetId: '1', Balance: null } }
  const error: unknown = await database.call(strict, { stake: '25.05' }).then(() => undefined, (thrown: unknown) => thrown)
  t.type(error, AnswerUnreadableError)
  t.equal((error as Error).message, 'dbo.Bet_PLACE_tr: its outcome mapping threw TypeError on the answer (text withheld); it must accept every answer its contract declares')
  t.notOk(inspect(error).includes('25.05'), 'the mapping\'s text is not kept')
  responder.reply = { raise: [{ number: 50010, class: 16, message: 'Stake above the limit' }] }
  await t.rejects(database.call(strict, { stake: '25.05' }), AnswerUnreadableError, 'a raised error it does not expect too')
})

t.test('values that cannot fit their declaration are refused before any connection or call, naming the parameter only', async (t) => {
  const { responder, database } = await setUp(t)
  // 43775627292765.45 fits decimal(18,2) but is above 2^51 units: tedious would send 43775627292765.46.
  const refused = ['25.005', '12345678901234567', '1e3', 'twelve', '22517998136852.48', '43775627292765.45', '-43775627292765.45']
  for (const stake of refused) {
    const error: unknown = await database.call(withOutput, { stake }).then(() => undefined, (thrown: unknown) => thrown)
    t.type(error, DatabaseContractError, stake)
    t.equal((error as Error).message, 'dbo.Bet_PLACE_tr: the value for @Stake does not fit decimal(18,2) (value withheld); the command must refuse it before calling')
  }
  t.equal(responder.connectionCount, 0)
  responder.reply = { returnStatus: 0 }
  await database.call(withOutput, { stake: '22517998136852.47' })
  t.match(responder.calls[0]?.parameters[0], { name: '@Stake', value: '22517998136852.47' }, 'the largest below the bound is sent exact')
  const badName = { ...withOutput, name: 'dbo.Bet; DROP TABLE x' }
  await t.rejects(database.call(badName, { stake: '1.00' }), /a contract names its object as schema\.name/)
  t.equal(responder.calls.length, 1, 'nothing more was called')
})

t.test('an error that means the object differs from its declaration names the contract and says to run db:verify', async (t) => {
  const { responder, database } = await setUp(t)
  responder.reply = { raise: [{ number: 4121, class: 16, message: 'Cannot find either column "dbo" or the user-defined function or aggregate "dbo.PartyStakeLimit_fn".' }] }
  const error: unknown = await database.call(withOutput, { stake: '1.00' }).then(() => undefined, (thrown: unknown) => thrown)
  t.type(error, TransientError)
  t.match((error as Error).message, /^dbo\.Bet_PLACE_tr: SQL Server error 4121: .*run `npm run db:verify`/)
})
