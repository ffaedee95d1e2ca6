import t, { type Test } from 'tap'
import type { BotCommand } from '../../src/commands/command.js'
import { CATALOG_QUERIES } from '../../src/db/catalog-queries.js'
import { sql, type DatabaseContract } from '../../src/db/contract.js'
import { declaredContracts } from '../../src/db/declared-contracts.js'
import { CATALOG_CANNOT_TELL, verifyContracts, type VerificationReport } from '../../src/db/verify.js'
import { catalogOf, type CatalogEntry } from '../support/tds-catalog.js'
import { TdsResponder } from '../support/tds-responder.js'

/** Contracts of every kind, as commands would declare them (these exist only here). */
const balance: DatabaseContract<{ userId: string }> = {
  name: 'dbo.Balance_GET',
  kind: 'procedure',
  effect: 'reads',
  parameters: [{ name: 'TelegramUserId', type: sql.bigint(), from: (input) => input.userId }],
  resultColumns: [
    { name: 'Currency', type: sql.nvarchar(3), nullable: false },
    { name: 'Amount', type: sql.decimal(18, 2), nullable: true }
  ],
  outcome: (answer) => answer.rows
}
const link: DatabaseContract<{ userId: string, login: string }> = {
  name: 'dbo.Account_LINK',
  kind: 'procedure',
  effect: 'writes',
  parameters: [
    { name: 'TelegramUserId', type: sql.bigint(), from: (input) => input.userId },
    { name: 'Login', type: sql.nvarchar(128), from: (input) => input.login },
    { name: 'LinkedAt', type: sql.datetime2(3), from: () => null, output: true }
  ],
  outcome: (answer) => answer.returnValue ?? -1
}
const rate: DatabaseContract<{ currency: string }> = {
  name: 'dbo.Rate_OF',
  kind: 'scalar-function',
  effect: 'reads',
  parameters: [{ name: 'Currency', type: sql.nvarchar(3), from: (input) => input.currency }],
  returns: sql.decimal(9, 4),
  outcome: (answer) => answer.value
}
const movements: DatabaseContract<{ userId: string }> = {
  name: 'dbo.Movements_LIST',
  kind: 'table-function',
  effect: 'reads',
  parameters: [{ name: 'TelegramUserId', type: sql.bigint(), from: (input) => input.userId }],
  resultColumns: [{ name: 'At', type: sql.datetime2(7), nullable: false }, { name: 'Won', type: sql.bit(), nullable: false }],
  outcome: (answer) => answer.rows
}
const CONTRACTS = [balance, link, rate, movements] as unknown as DatabaseContract[]

/** A password that would be noticed anywhere in the output. */
const PASSWORD = 'Pw-7c1e-NOTICE-ME'

async function responderWith (t: Test, changed: Partial<Record<string, Partial<CatalogEntry> | 'missing'>> = {}): Promise<TdsResponder> {
  const responder = await TdsResponder.start()
  t.teardown(async () => { await responder.close() })
  for (const contract of CONTRACTS) {
    const change = changed[contract.name]
    if (change !== 'missing') responder.catalog[contract.name] = { ...catalogOf(contract), ...change }
  }
  return responder
}

async function verify (responder: TdsResponder, contracts = CONTRACTS): Promise<VerificationReport> {
  return await verifyContracts(contracts, responder.connectionString('Connect Timeout=2'))
}

/** The report's line for one contract, asserting the report failed. */
async function lineFor (t: Test, responder: TdsResponder, contract: DatabaseContract): Promise<string | undefined> {
  const report = await verify(responder, [contract])
  t.equal(report.ok, false, 'a difference fails the report')
  t.equal(report.lines.length, 2, 'one line for the contract, then what the catalog cannot tell')
  return report.lines[0]
}

t.test('a matching catalog: ok for each, read from the catalog only, the name always a parameter', async (t) => {
  const responder = await responderWith(t)
  const report = await verify(responder)
  t.same(report, { ok: true, lines: ['ok dbo.Balance_GET', 'ok dbo.Account_LINK', 'ok dbo.Rate_OF', 'ok dbo.Movements_LIST', CATALOG_CANNOT_TELL] })
  const statements = new Set<string>(Object.values(CATALOG_QUERIES))
  t.equal(responder.calls.length, 10, 'object and parameters of each, the columns of the two that read rows')
  for (const call of responder.calls) {
    t.equal(call.procedure, 'sp_executesql', 'no contract is run')
    t.ok(statements.has(call.statement ?? ''), 'only the catalog queries')
    t.same(call.parameters.map((parameter) => parameter.name), ['@name'])
    t.notOk(call.statement?.includes('dbo.'), 'no object name spliced into a statement')
  }
  t.same(responder.calls.filter((call) => call.statement === CATALOG_QUERIES.procedureColumns).map((call) => call.parameters[0]?.value), ['dbo.Balance_GET'], 'a procedure\'s result set is read only where the contract reads rows')
})

t.test('numeric is decimal, and types given by the catalog\'s raw numbers compare as the declared ones', async (t) => {
  const responder = await responderWith(t, {
    'dbo.Rate_OF': { parameters: [{ name: '@Currency', type: { type: 'nvarchar', maxLength: 6, precision: 0, scale: 0 } }], returns: { type: 'numeric', maxLength: 5, precision: 9, scale: 4 } }
  })
  t.same((await verify(responder, [rate as unknown as DatabaseContract])).lines[0], 'ok dbo.Rate_OF')
})

t.test('object missing', async (t) => {
  const responder = await responderWith(t, { 'dbo.Balance_GET': 'missing' })
  t.equal(await lineFor(t, responder, balance as unknown as DatabaseContract), 'dbo.Balance_GET: no such object (or the login may not see it: SQL Server hides what a login has no permission on)')
})

t.test('an object of another kind', async (t) => {
  const responder = await responderWith(t, { 'dbo.Balance_GET': { type: 'FN' }, 'dbo.Rate_OF': { type: 'U' }, 'dbo.Movements_LIST': { type: 'XX' } })
  t.equal(await lineFor(t, responder, balance as unknown as DatabaseContract), 'dbo.Balance_GET: is a scalar function, the contract says a procedure')
  t.equal(await lineFor(t, responder, rate as unknown as DatabaseContract), 'dbo.Rate_OF: is a table, the contract says a scalar function')
  t.equal(await lineFor(t, responder, movements as unknown as DatabaseContract), 'dbo.Movements_LIST: is an object of type XX, the contract says a table-valued function')
})

t.test('a parameter missing or renamed: named, with what the procedure has instead', async (t) => {
  const responder = await responderWith(t, {
    'dbo.Account_LINK': { parameters: [{ name: '@TelegramID', type: sql.bigint() }, { name: '@Login', type: sql.nvarchar(128) }, { name: '@LinkedAt', type: sql.datetime2(3), output: true }] }
  })
  t.equal(await lineFor(t, responder, link as unknown as DatabaseContract),
    'dbo.Account_LINK: @TelegramUserId: no such parameter; the procedure has @TelegramID bigint, @Login nvarchar(128), @LinkedAt datetime2(3) OUTPUT; ' +
    '@TelegramID bigint is not in the contract: the call leaves it out, which works only if it has a default, and the catalog does not record T-SQL defaults; declare it')
  responder.catalog['dbo.Rate_OF']!.parameters = []
  t.equal(await lineFor(t, responder, rate as unknown as DatabaseContract), 'dbo.Rate_OF: @Currency: no such parameter; the function has no parameters')
})

t.test('a parameter name differing only in case is the same parameter (T-SQL names are case-insensitive)', async (t) => {
  const responder = await responderWith(t, { 'dbo.Balance_GET': { parameters: [{ name: '@telegramuserid', type: sql.bigint() }] } })
  t.equal((await verify(responder, [balance as unknown as DatabaseContract])).lines[0], 'ok dbo.Balance_GET')
})

t.test('a type, length, precision or scale different', async (t) => {
  const responder = await responderWith(t, {
    'dbo.Account_LINK': { parameters: [{ name: '@TelegramUserId', type: sql.int() }, { name: '@Login', type: sql.nvarchar(100) }, { name: '@LinkedAt', type: sql.datetime2(7), output: true }] },
    'dbo.Rate_OF': { parameters: [{ name: '@Currency', type: sql.nvarchar('max') }], returns: sql.decimal(18, 4) }
  })
  t.equal(await lineFor(t, responder, link as unknown as DatabaseContract),
    'dbo.Account_LINK: @TelegramUserId is int, the contract says bigint; @Login is nvarchar(100), the contract says nvarchar(128); @LinkedAt is datetime2(7), the contract says datetime2(3)')
  t.equal(await lineFor(t, responder, rate as unknown as DatabaseContract),
    'dbo.Rate_OF: returns decimal(18,4), the contract says decimal(9,4); @Currency is nvarchar(max), the contract says nvarchar(3)')
  responder.catalog['dbo.Rate_OF'] = { ...catalogOf(rate as unknown as DatabaseContract), parameters: [{ name: '@Currency', type: { type: 'nchar', maxLength: 6, precision: 0, scale: 0 } }] }
  t.equal(await lineFor(t, responder, rate as unknown as DatabaseContract), 'dbo.Rate_OF: @Currency is nchar(3), the contract says nvarchar(3)')
  responder.catalog['dbo.Rate_OF'] = { ...catalogOf(rate as unknown as DatabaseContract), returns: undefined, parameters: [{ name: '@Currency', type: { type: 'money', maxLength: 8, precision: 19, scale: 4 } }] }
  t.equal(await lineFor(t, responder, rate as unknown as DatabaseContract), 'dbo.Rate_OF: @Currency is money, the contract says nvarchar(3)')
})

t.test('the OUTPUT flag different, either way', async (t) => {
  const responder = await responderWith(t, {
    'dbo.Account_LINK': { parameters: [{ name: '@TelegramUserId', type: sql.bigint(), output: true }, { name: '@Login', type: sql.nvarchar(128) }, { name: '@LinkedAt', type: sql.datetime2(3) }] }
  })
  t.equal(await lineFor(t, responder, link as unknown as DatabaseContract),
    'dbo.Account_LINK: @TelegramUserId is an OUTPUT parameter, the contract says input; @LinkedAt is an input parameter, the contract says OUTPUT')
})

t.test('no permission: EXECUTE for a procedure or scalar function, SELECT for a table-valued function', async (t) => {
  const responder = await responderWith(t, { 'dbo.Balance_GET': { canExecute: false }, 'dbo.Movements_LIST': { canExecute: false } })
  t.equal(await lineFor(t, responder, balance as unknown as DatabaseContract), 'dbo.Balance_GET: the login may not EXECUTE it')
  t.equal(await lineFor(t, responder, movements as unknown as DatabaseContract), 'dbo.Movements_LIST: the login may not SELECT it')
})

t.test('a result-set column missing, typed differently, nullable differently, or named in another case', async (t) => {
  const responder = await responderWith(t, {
    'dbo.Balance_GET': { firstResultSet: [{ name: 'Currency', type: sql.nvarchar(3), nullable: true }, { name: 'Amount', type: sql.decimal(19, 4), nullable: false }] },
    'dbo.Movements_LIST': { firstResultSet: [{ name: 'at', type: sql.datetime2(7), nullable: false }, { name: 'Result', type: sql.int(), nullable: false }] }
  })
  t.equal(await lineFor(t, responder, balance as unknown as DatabaseContract),
    'dbo.Balance_GET: column Currency may be NULL, the contract says never; column Amount is decimal(19,4), the contract says decimal(18,2); column Amount is never NULL, the contract says it may be')
  t.equal(await lineFor(t, responder, movements as unknown as DatabaseContract),
    'dbo.Movements_LIST: column At is named at (rows carry the name as written); column Won: not in the result; it has at datetime2(7), Result int')
})

t.test('a procedure without a result set, or one SQL Server cannot describe without running it', async (t) => {
  const responder = await responderWith(t, { 'dbo.Balance_GET': { firstResultSet: [] } })
  t.equal(await lineFor(t, responder, balance as unknown as DatabaseContract), 'dbo.Balance_GET: returns no result set; the contract reads Currency, Amount')
  responder.catalog['dbo.Balance_GET']!.firstResultSet = { unknownBecause: 'TEMPORARY_TABLE' }
  t.equal(await lineFor(t, responder, balance as unknown as DatabaseContract), 'dbo.Balance_GET: SQL Server cannot describe its first result set without running it (TEMPORARY_TABLE): its columns are unchecked')
})

t.test('a catalog query SQL Server refuses: the contract\'s line names the error number, never its text', async (t) => {
  const responder = await responderWith(t)
  responder.reply = { raise: [{ number: 229, class: 14, message: `The SELECT permission was denied on the object 'x' ${PASSWORD}` }] }
  const report = await verify(responder, [balance as unknown as DatabaseContract])
  t.same(report, { ok: false, lines: ['dbo.Balance_GET: the catalog could not be read (SQL Server error 229)', CATALOG_CANNOT_TELL] })
})

t.test('a server that cannot be reached, or refuses the login: one line naming the setting, never its value', async (t) => {
  const responder = await TdsResponder.start()
  const port = responder.port
  await responder.close()
  const unreachable = `Server=127.0.0.1,${port};Database=platform;User Id=bot;Password=${PASSWORD};Encrypt=false;Connect Timeout=2`
  t.same(await verifyContracts(CONTRACTS, unreachable), { ok: false, lines: ['DATABASE_CONNECTION_STRING: the server cannot be reached (value hidden)'] })

  const refusing = await responderWith(t)
  refusing.loginError = { number: 18456, class: 14, message: `Login failed for user 'bot'. ${PASSWORD}` }
  const report = await verifyContracts(CONTRACTS, refusing.connectionString(`Password=${PASSWORD};`))
  t.same(report, { ok: false, lines: ['DATABASE_CONNECTION_STRING: the login failed (value hidden)'] })

  t.same(await verifyContracts(CONTRACTS, `Server=;Password=${PASSWORD}`), { ok: false, lines: ['DATABASE_CONNECTION_STRING is malformed (value hidden): expected Server=…;… or mssql://…'] })
  t.same(await verifyContracts(CONTRACTS, 'sqlite:.data/local.sqlite'), { ok: false, lines: ['DATABASE_CONNECTION_STRING names the embedded SQLite database: db:verify checks contracts against SQL Server'] })
})

t.test('a server that accepts the connection and never answers: one line, in the connection timeout', async (t) => {
  const responder = await TdsResponder.start()
  t.teardown(async () => { await responder.close() })
  responder.silent = true
  const report = await verifyContracts(CONTRACTS, responder.connectionString('Connect Timeout=1'))
  t.same(report, { ok: false, lines: ['DATABASE_CONNECTION_STRING: the server did not answer in time (value hidden)'] })
})

t.test('no declared contract: the connection is still checked', async (t) => {
  const responder = await responderWith(t)
  t.same(await verify(responder, []), { ok: true, lines: ['connected; no command declares a database contract: nothing else to verify'] })
  t.equal(responder.logins.length, 1)
})

t.test('the registry\'s contracts: each declaration once, in registry order; two declarations of one object both', async (t) => {
  const command = (name: string, contracts?: DatabaseContract[]): BotCommand =>
    ({ name, description: name, usage: `/${name}`, inGroups: 'always', outcomes: [], handle: async () => {}, ...(contracts === undefined ? {} : { contracts }) }) as BotCommand
  const [b, l, r] = CONTRACTS as [DatabaseContract, DatabaseContract, DatabaseContract]
  t.same(declaredContracts([command('a', [b, l]), command('help'), command('c', [r, b])]), [b, l, r], 'a contract two commands share is verified once')
  const otherReading = { ...b, resultColumns: [] }
  t.same(declaredContracts([command('a', [b]), command('d', [otherReading])]), [b, otherReading], 'another command\'s declaration of the same object is verified too')
})
