import { inspect } from 'node:util'
import t, { type Test } from 'tap'
import { ConfigError } from '../../src/config.js'
import { createMssqlDatabase } from '../../src/db/mssql-database.js'
import { LONGEST_CALL_MS } from '../../src/db/mssql-connection.js'
import { registerContract, type RegistrationRequest } from '../../src/commands/register.js'
import { DatabaseContractError, type Database } from '../../src/db/database.js'
import { TransientError } from '../../src/errors.js'
import { findTokenRun } from '../support/reliability.js'
import { TdsResponder, type SqlServerError } from '../support/tds-responder.js'
import { until, within } from '../support/wait.js'
import { mssqlOnResponder, recordMssqlConnections } from '../support/mssql.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

/** A recognisable credential: every error a test sees is searched for it. */
const TOKEN = 'tok-5f1c9a0e-Zq8Wv3Xk'

const registration: RegistrationRequest = {
  telegramUserId: 5_123_456_789,
  telegramChatId: -1_001_234_567_890,
  telegramUsername: 'alice_tg',
  username: 'alice',
  token: TOKEN
}

/** Short timeouts keep the failing cases fast (production defaults are 5 s and 8 s). */
const SHORT_TIMEOUTS = 'Connect Timeout=1;Request Timeout=300'

const DEADLOCK: SqlServerError = { number: 1205, class: 13, message: 'Transaction (Process ID 61) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.' }
const BAD_CREDENTIALS: SqlServerError = { number: 50001, class: 16, message: 'Invalid username or token.' }

interface Setup { responder: TdsResponder, store: Database, connectionString: string }

/** A responder and a store connected to it, both closed when the test ends. */
async function setUp (t: Test, options = SHORT_TIMEOUTS): Promise<Setup> {
  const { responder, database, connectionString } = await mssqlOnResponder(t, options)
  return { responder, store: database, connectionString }
}

/** Awaits the failure of `attempt`, asserts a TransientError with that message, and that no secret is in it or its cause. */
async function transientFailure (t: Test, attempt: Promise<unknown>, message: RegExp, setup: Setup): Promise<TransientError> {
  const error: unknown = await attempt.then(() => undefined, (thrown: unknown) => thrown)
  t.type(error, TransientError)
  t.match((error as Error).message, message)
  const text = inspect(error, { depth: 10 })
  for (const secret of [TOKEN, setup.connectionString, TdsResponder.password]) {
    t.notOk(text.includes(secret), 'the error and its cause hold no credential')
  }
  return error as TransientError
}

t.test('status 0 is registered: one call of the procedure, with the contract parameters and types', async (t) => {
  const { responder, store } = await setUp(t)
  t.equal(await store.call(registerContract, registration), 'registered')
  t.same(responder.calls, [{
    procedure: 'dbo.PartyTelegramUser_REGISTER_tr',
    parameters: [
      { name: '@TelegramUserId', type: 'INTN', length: 8, value: 5_123_456_789n },
      { name: '@TelegramChatId', type: 'INTN', length: 8, value: -1_001_234_567_890n },
      { name: '@TelegramUsername', type: 'NVARCHAR', length: 64, value: 'alice_tg' },
      { name: '@Username', type: 'NVARCHAR', length: 128, value: 'alice' },
      { name: '@Token', type: 'NVARCHAR', length: 512, value: TOKEN }
    ]
  }])
  t.same(responder.logins.at(-1), { user: 'bot', password: TdsResponder.password, database: 'registrations' })
})

t.test('the first call logs in once: the pool keeps the connection mssql opens to probe the configuration', async (t) => {
  const { responder, store } = await setUp(t)
  t.equal(await store.call(registerContract, registration), 'registered')
  t.equal(responder.logins.length, 1, 'one login for connect and the first call')
  t.equal(await store.call(registerContract, registration), 'registered')
  await store.check(AbortSignal.timeout(2000))
  t.equal(responder.logins.length, 1, 'the next calls reuse it')
})

t.test('a user without a Telegram username is sent as NULL, still typed NVARCHAR(64)', async (t) => {
  const { responder, store } = await setUp(t)
  t.equal(await store.call(registerContract, { ...registration, telegramUsername: undefined }), 'registered')
  t.same(responder.calls[0]?.parameters[2], { name: '@TelegramUsername', type: 'NVARCHAR', length: 64, value: null })
})

t.test('a non-zero return status is rejected', async (t) => {
  const { responder, store } = await setUp(t)
  responder.reply = { returnStatus: 1 }
  t.equal(await store.call(registerContract, registration), 'rejected')
  t.equal(responder.calls.length, 1)
})

t.test('an error the procedure raises (50001) is rejected, also when another error follows it', async (t) => {
  const { responder, store } = await setUp(t)
  responder.reply = { raise: [BAD_CREDENTIALS] }
  t.equal(await store.call(registerContract, registration), 'rejected')
  // THROW inside an open transaction is followed by 266 (transaction count mismatch); mssql reports the last error.
  responder.reply = { raise: [BAD_CREDENTIALS, { number: 266, class: 16, message: 'Transaction count after EXECUTE indicates a mismatching number of BEGIN and COMMIT statements.' }] }
  t.equal(await store.call(registerContract, registration), 'rejected')
})

t.test('a deadlock (1205) is transient and keeps the pool: the server did answer', async (t) => {
  const setup = await setUp(t)
  const { responder, store } = setup
  responder.reply = { raise: [DEADLOCK] }
  const error = await transientFailure(t, store.call(registerContract, registration), /^dbo\.PartyTelegramUser_REGISTER_tr: SQL Server error 1205 \(transient\)$/, setup)
  t.match(error.cause, { number: 1205 }, 'the original error is kept when it holds no credential')
  const connections = responder.connectionCount
  responder.reply = { returnStatus: 0 }
  t.equal(await store.call(registerContract, registration), 'registered')
  t.equal(responder.connectionCount, connections, 'no new connection')
})

t.test('the other errors that heal by themselves (locks, snapshot and in-memory conflicts, a secondary starting) are transient too', async (t) => {
  const setup = await setUp(t)
  for (const number of [1204, 1222, 3960, 41301, 41302, 41305, 41325, 41839, 4221, 4060, 40613]) {
    setup.responder.reply = { raise: [{ number, class: 16, message: 'Please retry.' }] }
    await transientFailure(t, setup.store.call(registerContract, registration), new RegExp(`^dbo\\.PartyTelegramUser_REGISTER_tr: SQL Server error ${number} \\(transient\\)$`), setup)
  }
})

t.test('an error that means the object differs from its contract names the contract and says to run db:verify (retried, then the DLQ), never rejected', async (t) => {
  const setup = await setUp(t)
  for (const number of [2812, 2809, 215, 201, 8144, 8145, 8146, 229]) {
    setup.responder.reply = { raise: [{ number, class: 16, message: "Could not find stored procedure 'dbo.PartyTelegramUser_REGISTER_tr'." }] }
    await transientFailure(t, setup.store.call(registerContract, registration), new RegExp(`^dbo\\.PartyTelegramUser_REGISTER_tr: SQL Server error ${number}: the database object does not match its declared contract .*run \`npm run db:verify\``), setup)
  }
})

t.test('any other SQL error is a deployment or database defect: thrown as TransientError (retried, then the DLQ), never rejected', async (t) => {
  const setup = await setUp(t)
  setup.responder.reply = { raise: [{ number: 547, class: 16, message: 'The INSERT statement conflicted with the FOREIGN KEY constraint.' }] }
  await transientFailure(t, setup.store.call(registerContract, registration), /^dbo\.PartyTelegramUser_REGISTER_tr: SQL Server error 547, not an answer the contract maps: a deployment or database defect/, setup)
})

t.test('whatever the server\'s errors quote of the token (whole, truncated, unquoted, in an earlier error), no 6-character run of it survives in the error', async (t) => {
  const setup = await setUp(t)
  const quoting: Array<[string, SqlServerError[]]> = [
    ['whole', [{ number: 245, class: 16, message: `Conversion failed when converting the nvarchar value '${TOKEN}' to data type int.` }]],
    ['truncated', [{ number: 2628, class: 16, message: `String or binary data would be truncated in table 'registrations.dbo.Link', column 'Token'. Truncated value: '${TOKEN.slice(0, 10)}'.` }]],
    ['a middle part, unquoted', [{ number: 547, class: 16, message: `The INSERT statement conflicted with the CHECK constraint near ${TOKEN.slice(5, 14)} in table Link.` }]],
    ['in an earlier error', [{ number: 8152, class: 16, message: `value ${TOKEN.slice(-8)} too long` }, { number: 3609, class: 16, message: 'The transaction ended in the trigger. The batch has been aborted.' }]],
    ['with a transient one', [{ number: 1205, class: 13, message: `deadlock while writing ${TOKEN}` }]]
  ]
  for (const [what, raise] of quoting) {
    setup.responder.reply = { raise }
    const error = await transientFailure(t, setup.store.call(registerContract, registration), /^dbo\.PartyTelegramUser_REGISTER_tr: (SQL Server error \d+|request to SQL Server failed \(EREQUEST\))/, setup)
    t.equal(findTokenRun([inspect(error, { depth: 10 }), JSON.stringify(error.cause)], [TOKEN]), undefined, `${what}: no run of the token in the error or its cause`)
    t.match(error.cause, { name: 'SqlErrorSummary', code: 'EREQUEST', ...(raise.length === 1 ? { number: raise[0]?.number } : {}) }, `${what}: the cause keeps the kind and the server's number`)
  }
})

t.test('values longer than their parameters are refused without a call, naming the contract and parameter, never the value', async (t) => {
  const { responder, store } = await setUp(t)
  // /register never sends them (parseRegisterArguments answers "malformed" first): a command that did is a defect.
  for (const [request, parameter] of [[{ ...registration, token: 'x'.repeat(513) }, 'Token'], [{ ...registration, username: 'u'.repeat(129) }, 'Username']] as const) {
    const error: unknown = await store.call(registerContract, request).then(() => undefined, (thrown: unknown) => thrown)
    t.type(error, DatabaseContractError)
    t.equal((error as Error).message, `dbo.PartyTelegramUser_REGISTER_tr: the value for @${parameter} does not fit nvarchar(${parameter === 'Token' ? 512 : 128}) (value withheld); the command must refuse it before calling`)
  }
  t.equal(responder.connectionCount, 0)
  t.equal(await store.call(registerContract, { ...registration, token: 'x'.repeat(512), username: 'u'.repeat(128) }), 'registered', 'the maximum lengths fit')
})

t.test('creating the store opens no connection; the first call does', async (t) => {
  const { responder, store } = await setUp(t, '') // the production timeouts
  t.equal(responder.connectionCount, 0)
  await store.call(registerContract, registration)
  t.ok(responder.connectionCount > 0)
})

t.test('a refused connection is transient, and the next call after the server comes back succeeds', async (t) => {
  const setup = await setUp(t)
  const { responder, store } = setup
  await responder.stop()
  await transientFailure(t, store.call(registerContract, registration), /request to SQL Server failed \(ESOCKET\)/, setup)
  await responder.restart()
  t.equal(await store.call(registerContract, registration), 'registered')
})

t.test('a server that goes away after a call: transient, then a fresh pool once it is back', async (t) => {
  const setup = await setUp(t)
  const { responder, store } = setup
  t.equal(await store.call(registerContract, registration), 'registered')
  await responder.stop()
  await transientFailure(t, store.call(registerContract, registration), /request to SQL Server failed/, setup)
  await responder.restart()
  t.equal(await store.call(registerContract, registration), 'registered')
})

t.test('a server restart between calls goes unnoticed, and no validation query runs before a call', async (t) => {
  const connections = recordMssqlConnections(t)
  const { responder, store } = await setUp(t)
  t.equal(await store.call(registerContract, registration), 'registered')
  await responder.stop()
  await responder.restart()
  await within(connections.clientSawAllEnd(), 'the pool to see its idle connection end')
  t.equal(await store.call(registerContract, registration), 'registered')
  t.equal(responder.calls.length, 2)
  t.notOk(responder.batches.some((batch) => /select 1/i.test(batch)), 'no SELECT 1 was sent')
})

t.test('a silent server is transient within the connection timeout; close waits for the attempt and leaves nothing open', async (t) => {
  const setup = await setUp(t)
  const { responder, store } = setup
  responder.silent = true
  const started = Date.now()
  const attempt = transientFailure(t, store.call(registerContract, registration), /request to SQL Server failed \(ETIMEOUT\)/, setup)
  await store.close()
  await attempt
  t.ok(Date.now() - started < 7500, 'failed at the 1 s connection timeout, far from mssql\'s default 15 s')
  await until(() => responder.openConnections === 0, 'the connections to close')
  t.equal(responder.openConnections, 0)
})

t.test('a procedure that does not answer times out, is cancelled, and the next call connects afresh', async (t) => {
  const setup = await setUp(t)
  const { responder, store } = setup
  responder.reply = 'no answer'
  const started = Date.now()
  await transientFailure(t, store.call(registerContract, registration), /request to SQL Server failed \(ETIMEOUT\)/, setup)
  t.ok(Date.now() - started < 7500, 'failed at the 300 ms request timeout, far from mssql\'s default 15 s')
  t.equal(responder.attentions, 1, 'the request was cancelled')
  responder.reply = { returnStatus: 0 }
  t.equal(await store.call(registerContract, registration), 'registered')
})

t.test('a server that stops answering mid-call: the request times out, and the unacknowledged cancel is given up after 2 s', async (t) => {
  const setup = await setUp(t)
  const { responder, store } = setup
  t.equal(await store.call(registerContract, registration), 'registered')
  responder.silent = true
  const started = Date.now()
  await transientFailure(t, store.call(registerContract, registration), /request to SQL Server failed \(ETIMEOUT\)/, setup)
  const elapsed = Date.now() - started
  t.ok(elapsed >= 2000, `300 ms request timeout + the 2 s cancel timeout (took ${elapsed} ms)`)
  t.ok(elapsed < 4700, `not tedious's default cancel timeout, 5 s (took ${elapsed} ms)`)
})

t.test('a refused login is transient and not retried in-process (SQS retries the record)', async (t) => {
  const setup = await setUp(t)
  const { responder, store } = setup
  responder.loginError = { number: 40613, class: 17, message: "Database 'registrations' on server 'tds-responder' is not currently available." }
  await transientFailure(t, store.call(registerContract, registration), /request to SQL Server failed \(ELOGIN\)/, setup)
  t.equal(responder.logins.length, 1, 'one login attempt')
  responder.loginError = undefined
  t.equal(await store.call(registerContract, registration), 'registered')
})

t.test('a connection dropped during the call is transient, and the next call opens a new connection', async (t) => {
  const setup = await setUp(t)
  const { responder, store } = setup
  responder.reply = 'hang up'
  await transientFailure(t, store.call(registerContract, registration), /request to SQL Server failed/, setup)
  const connections = responder.connectionCount
  responder.reply = { returnStatus: 0 }
  t.equal(await store.call(registerContract, registration), 'registered')
  t.ok(responder.connectionCount > connections)
})

t.test('the mssql:// form reaches the same server, with its parts percent-decoded', async (t) => {
  const responder = await TdsResponder.start()
  t.teardown(async () => { await responder.close() })
  const forms = [
    { url: `mssql://bot%40corp:p%40ss%3Bw%2Frd@127.0.0.1:${responder.port}/registrations?encrypt=false&trustServerCertificate=true&connect%20timeout=1`, login: { user: 'bot@corp', password: 'p@ss;w/rd', database: 'registrations' } },
    { url: `mssql://bot@127.0.0.1:${responder.port}/registrations?encrypt=false`, login: { user: 'bot', password: '', database: 'registrations' } }
  ]
  for (const { url, login } of forms) {
    const store = await createMssqlDatabase(url)
    t.equal(await store.call(registerContract, registration), 'registered')
    await store.close()
    t.same(responder.logins.at(-1), login)
  }
})

t.test('a malformed connection string is a ConfigError that holds no part of it', async (t) => {
  const password = 'hunter2-secret'
  const malformed = [
    'not a connection string',
    `Server=;Password=${password}`,
    `Server=db.example.com,port;Password=${password}`,
    `Server=db.example.com;Password="${password}`,
    `Server=db.example.com;Password=${password};Connect Timeout=0`,
    `Server=db.example.com;Password=${password};Request Timeout=soon`,
    `mssql://bot:${password}@/registrations`,
    `mssql://bot:${password}@db.example.com:99999/registrations`,
    `mssql://bot:${password}%ZZ@db.example.com/registrations`,
    `mssql://bot:${password}@db example/registrations`
  ]
  for (const [index, connectionString] of malformed.entries()) {
    const error: unknown = await createMssqlDatabase(connectionString).then(() => undefined, (thrown: unknown) => thrown)
    t.type(error, ConfigError, `string ${index}`)
    t.equal((error as Error).message, 'DATABASE_CONNECTION_STRING is malformed (value hidden): expected Server=…;… or mssql://…')
    t.notOk(inspect(error).includes(password), `string ${index}: no trace of the password, cause included`)
  }
})

t.test('timeouts that would make one call outlast an update (an Azure portal string\'s Connect Timeout=30) are refused at start, naming the keywords', async (t) => {
  const password = 'hunter2-secret'
  const error: unknown = await createMssqlDatabase(`Server=db.example.com;Password=${password};Connection Timeout=30`).then(() => undefined, (thrown: unknown) => thrown)
  t.type(error, ConfigError)
  t.equal((error as Error).message, 'DATABASE_CONNECTION_STRING: Connect Timeout=30 s and Request Timeout=8000 ms make one call take up to 70 s (2 connects, the request, the cancel); an update has 53 s for it: lower them (defaults 5 s and 8000 ms)')
  t.notOk(inspect(error).includes(password))
  t.equal(LONGEST_CALL_MS, 53_000, 'the Worker\'s 60 s less the reporting margin and the reply\'s reserve')
  const longest = await createMssqlDatabase('Server=db.example.com;Connect Timeout=15;Request Timeout=21000')
  t.teardown(() => longest.close())
  t.pass('15 s connects and a 21 s request (53 s in all) are taken')
  await t.rejects(createMssqlDatabase('Server=db.example.com;Connect Timeout=15;Request Timeout=21001'), ConfigError)
})

t.test('check runs SELECT 1 and resolves', async (t) => {
  const { responder, store } = await setUp(t)
  await store.check(AbortSignal.timeout(2000))
  t.same(responder.batches.filter((batch) => /select 1/i.test(batch)), ['SELECT 1'])
})

t.test('check fails with a TransientError when the server is down or answers with an error', async (t) => {
  const setup = await setUp(t)
  const { responder, store } = setup
  responder.reply = { raise: [{ number: 40613, class: 17, message: 'Database is not currently available.' }] }
  await transientFailure(t, store.check(AbortSignal.timeout(2000)), /^SELECT 1: SQL Server error 40613 \(transient\)$/, setup)
  await responder.stop()
  responder.reply = { returnStatus: 0 }
  await transientFailure(t, store.check(AbortSignal.timeout(2000)), /^SELECT 1: request to SQL Server failed/, setup)
})

t.test('check cancels its query when the signal aborts', async (t) => {
  const setup = await setUp(t, 'Connect Timeout=1;Request Timeout=45000')
  const { responder, store } = setup
  responder.reply = 'no answer'
  const controller = new AbortController()
  const started = Date.now()
  const attempt = transientFailure(t, store.check(controller.signal), /request to SQL Server failed \(ECANCEL\)/, setup)
  await until(() => responder.batches.includes('SELECT 1'), 'the health query')
  controller.abort()
  await attempt
  t.ok(Date.now() - started < 30_000, 'well before the 45 s request timeout')
  t.equal(responder.attentions, 1)
})

t.test('check with an already aborted signal connects to nothing', async (t) => {
  const setup = await setUp(t)
  await transientFailure(t, setup.store.check(AbortSignal.abort()), /request to SQL Server failed \(AbortError\)/, setup)
  t.equal(setup.responder.connectionCount, 0)
})

t.test('close closes the open connections and may be called again', async (t) => {
  const { responder, store } = await setUp(t)
  await store.close()
  t.equal(responder.connectionCount, 0, 'closing an unused store opens nothing')
  await store.call(registerContract, registration)
  t.ok(responder.openConnections > 0)
  await store.close()
  await store.close()
  await until(() => responder.openConnections === 0, 'the connections to close')
  t.equal(responder.openConnections, 0)
})
