import { createHash, randomBytes, randomInt } from 'node:crypto'
import mssql from 'mssql'
import t from 'tap'
import { createMssqlDatabase } from '../../src/db/mssql-database.js'
import { registerContract, type RegistrationRequest } from '../../src/commands/register.js'

// Opt-in: runs against a real SQL Server where db/mssql/*.sql are installed (docs/database.md says how).
// It creates one account and one Telegram user of its own, with random names, and deletes their rows at the end.
const connectionString = process.env.MSSQL_TEST_CONNECTION_STRING ?? ''

t.test('the adapter against a real SQL Server with the reference procedure', {
  skip: connectionString === '' ? 'set MSSQL_TEST_CONNECTION_STRING (Server=…;… form) to run it against a real SQL Server' : false
}, async (t) => {
  // The test's own pool, for setting up and reading back: the adapter exposes only the contract.
  const pool = await new mssql.ConnectionPool(connectionString).connect()
  t.teardown(async () => { await pool.close() })
  const store = await createMssqlDatabase(connectionString)
  t.teardown(async () => { await store.close() })

  const installed = await pool.request().query<{ registerId: number | null, saveId: number | null }>(
    "SELECT OBJECT_ID(N'dbo.PartyTelegramUser_REGISTER_tr', N'P') AS registerId, OBJECT_ID(N'dbo.PlatformAccount_SAVE_tr', N'P') AS saveId")
  if (installed.recordset[0]?.registerId == null || installed.recordset[0].saveId == null) {
    t.fail('the reference objects are missing: run db/mssql/*.sql against this database first')
    return
  }

  const username = `live-test-${randomBytes(6).toString('hex')}`
  const token = randomBytes(24).toString('base64url')
  const telegramUserId = 7_000_000_000_000 + randomInt(1_000_000_000)
  const registration: RegistrationRequest = { telegramUserId, telegramChatId: telegramUserId, username, token }

  const saveAccount = async (isActive: boolean): Promise<void> => {
    await pool.request()
      .input('Username', mssql.NVarChar(128), username)
      .input('Token', mssql.NVarChar(512), token)
      .input('IsActive', mssql.Bit, isActive)
      .execute('dbo.PlatformAccount_SAVE_tr')
  }
  /** Runs `sql` with @TelegramUserId and @Username bound to this test's own. */
  const rowsOf = async <Row>(sql: string): Promise<Row[]> => {
    const result = await pool.request().input('TelegramUserId', mssql.BigInt, telegramUserId).input('Username', mssql.NVarChar(128), username).query<Row>(sql)
    return [...(result.recordset ?? [])] // no result set for a statement that returns no rows
  }
  t.teardown(async () => {
    await rowsOf(`DELETE dbo.PartyTelegramUser WHERE TelegramUserId = @TelegramUserId;
      DELETE dbo.RegistrationAttempt WHERE TelegramUserId = @TelegramUserId;
      DELETE dbo.PlatformAccount WHERE Username = @Username;`)
  })

  await saveAccount(true)
  const [account] = await rowsOf<{ TokenSha256: Buffer }>('SELECT TokenSha256 FROM dbo.PlatformAccount WHERE Username = @Username')
  t.same(account?.TokenSha256, createHash('sha256').update(token, 'utf16le').digest(), 'the token is stored as the SHA-256 of its UTF-16LE bytes')

  await t.resolves(store.check(AbortSignal.timeout(5000)), 'check')

  t.equal(await store.call(registerContract, registration), 'registered')
  t.equal(await store.call(registerContract, { ...registration, telegramChatId: -100_123, telegramUsername: 'live_tg' }), 'registered', 'registering again')
  t.same(await rowsOf('SELECT TelegramChatId, TelegramUsername, Username FROM dbo.PartyTelegramUser WHERE TelegramUserId = @TelegramUserId'),
    [{ TelegramChatId: '-100123', TelegramUsername: 'live_tg', Username: username }], 'one link, updated (mssql reads BIGINT as a string)')

  t.equal(await store.call(registerContract, { ...registration, token: `${token}x` }), 'rejected', 'wrong token: return 1')
  t.equal(await store.call(registerContract, { ...registration, username: `${username}x` }), 'rejected', 'unknown user: return 1')
  await saveAccount(false)
  t.equal(await store.call(registerContract, registration), 'rejected', 'disabled account: THROW 50001')

  const attempts = await rowsOf<{ Outcome: string }>('SELECT Outcome FROM dbo.RegistrationAttempt WHERE TelegramUserId = @TelegramUserId ORDER BY RegistrationAttemptId')
  t.same(attempts.map((attempt) => attempt.Outcome), ['registered', 'registered', 'rejected', 'rejected', 'rejected'], 'every attempt recorded')
})
