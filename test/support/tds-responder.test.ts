import mssql from 'mssql'
import t, { type Test } from 'tap'
import { sql, type ColumnDeclaration } from '../../src/db/contract.js'
import { poolConfigOf } from '../../src/db/mssql-connection.js'
import { TdsResponder, type ResultSet } from './tds-responder.js'
import { encodeValue, tdsTypeOf } from './tds-types.js'

/**
 * The responder as the real mssql/tedious driver sees it: every type it writes is read back by the driver as
 * SQL Server's would be, and every parameter the driver sends is recorded with its TDS type.
 *
 * What tedious does with precision (the database port must account for it):
 * - bigint comes back as a string of digits (exact over the whole range); a bigint parameter may be given as
 *   a bigint, number or string.
 * - decimal/numeric comes back as a JS number, computed as unscaled ÷ 10^scale in binary floating point:
 *   `value.toFixed(scale)` gives back the exact decimal for values of at most 15 significant digits, and
 *   digits are lost beyond that (see the decimal(38,2) case). A decimal parameter goes the same way: tedious
 *   turns it into a number (parseFloat) and sends Math.round(|value| × 10^scale) as 64 bits, so it is exact only
 *   while that stays below 2^53. To read a wider decimal exactly, a query can CAST it to nvarchar.
 * - datetime2 comes back as a Date (milliseconds; tedious keeps the rest in a hidden `nanosecondsDelta`).
 */

async function connected (t: Test): Promise<{ responder: TdsResponder, pool: mssql.ConnectionPool }> {
  const responder = await TdsResponder.start()
  const pool = new mssql.ConnectionPool(poolConfigOf(responder.connectionString()))
  await pool.connect()
  t.teardown(async () => {
    await pool.close()
    await responder.close()
  })
  return { responder, pool }
}

const EVERY_TYPE: ColumnDeclaration[] = [
  { name: 'Id', type: sql.int(), nullable: false },
  { name: 'TelegramId', type: sql.bigint(), nullable: false },
  { name: 'Currency', type: sql.nvarchar(3), nullable: false },
  { name: 'Note', type: sql.nvarchar('max'), nullable: true },
  { name: 'Active', type: sql.bit(), nullable: false },
  { name: 'Amount', type: sql.decimal(18, 2), nullable: true },
  { name: 'Small', type: sql.decimal(5, 4), nullable: false },
  { name: 'At', type: sql.datetime2(7), nullable: true },
  { name: 'Day', type: sql.datetime2(0), nullable: false }
]

const AT = new Date('2026-12-05T11:33:52.123Z')
const DAY = new Date('1999-12-31T23:59:59.000Z')

const BALANCES: ResultSet = {
  columns: EVERY_TYPE,
  rows: [
    { Id: 2_147_483_647, TelegramId: 9_007_199_254_740_993n, Currency: 'EUR', Note: 'Zürich € 🙂', Active: true, Amount: '-1234567890123.45', Small: '0.0001', At: AT, Day: DAY },
    { Id: -1, TelegramId: '-9223372036854775808', Currency: 'USD', Note: null, Active: false, Amount: null, Small: '9.9999', At: null, Day: new Date('0001-01-01T00:00:00Z') }
  ]
}

t.test('a procedure\'s result set: every type and NULL read back by mssql as SQL Server\'s would be', async (t) => {
  const { responder, pool } = await connected(t)
  responder.reply = { resultSets: [BALANCES] }
  const result = await pool.request().input('TelegramUserId', mssql.BigInt, '5123456789').execute('dbo.Balance_GET')
  t.equal(result.returnValue, 0)
  t.equal(result.recordsets.length, 1)
  const [first, second] = result.recordset
  t.same(first, {
    Id: 2_147_483_647,
    TelegramId: '9007199254740993',
    Currency: 'EUR',
    Note: 'Zürich € 🙂',
    Active: true,
    Amount: -1234567890123.45,
    Small: 0.0001,
    At: AT,
    Day: DAY
  })
  t.equal((first!.Amount as number).toFixed(2), '-1234567890123.45', '15 significant digits: exact after toFixed(scale)')
  t.same(second, { Id: -1, TelegramId: '-9223372036854775808', Currency: 'USD', Note: null, Active: false, Amount: null, Small: 9.9999, At: null, Day: new Date('0001-01-01T00:00:00Z') })
  const columns = result.recordset.columns
  t.equal(columns.Amount!.type, mssql.Decimal)
  t.match(columns.Amount, { precision: 18, scale: 2, nullable: true })
  t.match(columns.Id, { type: mssql.Int, nullable: false })
  t.match(columns.TelegramId, { type: mssql.BigInt })
  t.match(columns.Currency, { type: mssql.NVarChar, length: 6 }, 'mssql gives a column\'s length in bytes, as TDS carries it')
  t.match(columns.Active, { type: mssql.Bit })
  t.match(columns.At, { type: mssql.DateTime2, scale: 7 })
})

t.test('decimal beyond 15 significant digits loses digits in tedious (a number), which the port must not rely on', async (t) => {
  const { responder, pool } = await connected(t)
  const wide = '12345678901234567.89'
  responder.reply = { resultSets: [{ columns: [{ name: 'Amount', type: sql.decimal(38, 2), nullable: false }], rows: [{ Amount: wide }] }] }
  const result = await pool.request().execute('dbo.Wide_GET')
  const amount = result.recordset[0]!.Amount as number
  t.equal(typeof amount, 'number')
  t.not(amount.toFixed(2), wide, 'the exact value does not survive')
})

t.test('several result sets, an empty one included, and a result larger than one packet', async (t) => {
  const { responder, pool } = await connected(t)
  const names = Array.from({ length: 800 }, (_, index) => ({ Name: `name ${index} ${'x'.repeat(40)}` })) // 80 KB: more than one packet can hold
  responder.reply = {
    returnStatus: 3,
    resultSets: [
      { columns: [{ name: 'Name', type: sql.nvarchar(100), nullable: false }], rows: names },
      { columns: [{ name: 'Count', type: sql.int(), nullable: false }], rows: [] }
    ]
  }
  const result = await pool.request().execute('dbo.Names_LIST')
  t.equal(result.returnValue, 3)
  t.equal(result.recordsets.length, 2)
  const [listed, counted] = result.recordsets as Array<mssql.IRecordSet<unknown>>
  t.same(listed, names)
  t.same(counted, [])
})

t.test('parameters of every type are recorded with the TDS type the driver sent, OUTPUT ones flagged and answered', async (t) => {
  const { responder, pool } = await connected(t)
  responder.reply = { returnStatus: 1, output: { Balance: '12.50', Registered: true, Label: null } }
  const result = await pool.request()
    .input('Count', mssql.Int, 7)
    .input('TelegramUserId', mssql.BigInt, 5_123_456_789)
    .input('Name', mssql.NVarChar(64), 'alice')
    .input('Long', mssql.NVarChar(mssql.MAX), 'y'.repeat(5000))
    .input('Flag', mssql.Bit, true)
    .input('Price', mssql.Decimal(18, 2), '12.50')
    .input('Rate', mssql.Numeric(9, 4), -0.0123)
    .input('At', mssql.DateTime2(3), AT)
    .input('Missing', mssql.Int, null)
    .output('Balance', mssql.Decimal(18, 2))
    .output('Registered', mssql.Bit)
    .output('Label', mssql.NVarChar(20), 'before')
    .output('Echo', mssql.BigInt, '42')
    .execute('dbo.Everything_DO')
  t.equal(result.returnValue, 1)
  t.same(result.output, { Balance: 12.5, Registered: true, Label: null, Echo: '42' }, 'scripted values, and an unscripted OUTPUT parameter comes back as it went')
  t.same(responder.calls, [{
    procedure: 'dbo.Everything_DO',
    parameters: [
      { name: '@Count', type: 'INTN', length: 4, value: 7 },
      { name: '@TelegramUserId', type: 'INTN', length: 8, value: 5_123_456_789n },
      { name: '@Name', type: 'NVARCHAR', length: 64, value: 'alice' },
      { name: '@Long', type: 'NVARCHAR', length: 'max', value: 'y'.repeat(5000) },
      { name: '@Flag', type: 'BITN', length: 1, value: true },
      { name: '@Price', type: 'DECIMALN', length: 9, precision: 18, scale: 2, value: '12.50' },
      { name: '@Rate', type: 'NUMERICN', length: 5, precision: 9, scale: 4, value: '-0.0123' },
      { name: '@At', type: 'DATETIME2N', scale: 3, value: AT },
      { name: '@Missing', type: 'INTN', length: 4, value: null },
      { name: '@Balance', type: 'DECIMALN', length: 9, precision: 18, scale: 2, value: null, output: true },
      { name: '@Registered', type: 'BITN', length: 1, value: null, output: true },
      { name: '@Label', type: 'NVARCHAR', length: 20, value: 'before', output: true },
      { name: '@Echo', type: 'INTN', length: 8, value: 42n, output: true }
    ]
  }])
})

t.test('request.query goes as sp_executesql: the statement and its parameters are recorded, rows answered', async (t) => {
  const { responder, pool } = await connected(t)
  responder.reply = { resultSets: [{ columns: [{ name: 'value', type: sql.decimal(18, 2), nullable: true }], rows: [{ value: '7.05' }] }] }
  const statement = 'SELECT dbo.Balance_OF(@TelegramUserId, @Currency) AS value'
  const result = await pool.request()
    .input('TelegramUserId', mssql.BigInt, '5123456789')
    .input('Currency', mssql.NVarChar(3), 'EUR')
    .query(statement)
  t.same(result.recordset, [{ value: 7.05 }])
  t.same(responder.calls, [{
    procedure: 'sp_executesql',
    statement,
    parameters: [
      { name: '@TelegramUserId', type: 'INTN', length: 8, value: 5_123_456_789n },
      { name: '@Currency', type: 'NVARCHAR', length: 3, value: 'EUR' }
    ]
  }])

  const long = `SELECT 1 AS one -- ${'z'.repeat(4100)}`
  responder.reply = { resultSets: [{ columns: [{ name: 'one', type: sql.int(), nullable: false }], rows: [{ one: 1 }] }] }
  t.same((await pool.request().query(long)).recordset, [{ one: 1 }])
  t.same(responder.calls[1], { procedure: 'sp_executesql', statement: long, parameters: [] }, 'a statement longer than 4000 characters (nvarchar(max)), no parameters')
})

t.test('request.batch goes as SQL_BATCH: recorded as a batch, not a call', async (t) => {
  const { responder, pool } = await connected(t)
  await pool.request().batch('SET NOCOUNT ON')
  t.equal(responder.batches.at(-1), 'SET NOCOUNT ON')
  t.same(responder.calls, [])
})

t.test('a scripted value the responder cannot write is refused, naming it', async (t) => {
  t.throws(() => encodeValue(tdsTypeOf(sql.decimal(18, 2)), '1.234'), /1\.234 is not a decimal of scale 2/)
  t.throws(() => encodeValue(tdsTypeOf(sql.datetime2(3)), '2026-12-05'), /must be a Date/)
  t.throws(() => tdsTypeOf(sql.varchar(10)), /varchar is not implemented/)
})
