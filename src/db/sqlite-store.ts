import { createHash, timingSafeEqual } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type Database from 'better-sqlite3'
import type { DevAccount } from '../config.js'
import type { RegistrationStore } from './registration-store.js'
import { loadSqliteDriver } from './sqlite-driver.js'

// The embedded stand-in for the platform's SQL Server: the same contract as the stored procedure
// (see docs/database.md and db/mssql/), with accounts seeded from DEV_ACCOUNTS.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS platform_account (
    username TEXT PRIMARY KEY,
    token_sha256 BLOB NOT NULL
  );
  CREATE TABLE IF NOT EXISTS telegram_link (
    telegram_user_id INTEGER PRIMARY KEY,
    telegram_chat_id INTEGER NOT NULL,
    telegram_username TEXT,
    username TEXT NOT NULL REFERENCES platform_account (username),
    registered_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS registration_attempt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    telegram_user_id INTEGER NOT NULL,
    username TEXT NOT NULL,
    outcome TEXT NOT NULL,
    attempted_at TEXT NOT NULL
  );
`

function sha256 (text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

export interface SqliteRegistrationStore extends RegistrationStore {
  /** The database itself, for the local runtime's inspection and the tests. */
  readonly database: Database.Database
}

/** Opens (creating if needed) the embedded database at `path` (`:memory:` for a throwaway one). */
export function openSqliteStore (path: string, devAccounts: readonly DevAccount[]): SqliteRegistrationStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const SqliteDatabase = loadSqliteDriver()
  const database = new SqliteDatabase(path)
  database.pragma('journal_mode = WAL')
  database.pragma('foreign_keys = ON')
  database.exec(SCHEMA)

  const seedAccount = database.prepare('INSERT INTO platform_account (username, token_sha256) VALUES (?, ?) ON CONFLICT (username) DO UPDATE SET token_sha256 = excluded.token_sha256')
  database.transaction(() => { for (const account of devAccounts) seedAccount.run(account.username, sha256(account.token)) })()

  const findAccount = database.prepare<[string], { token_sha256: Buffer }>('SELECT token_sha256 FROM platform_account WHERE username = ?')
  const linkUser = database.prepare(`
    INSERT INTO telegram_link (telegram_user_id, telegram_chat_id, telegram_username, username, registered_at)
    VALUES (@telegramUserId, @telegramChatId, @telegramUsername, @username, @at)
    ON CONFLICT (telegram_user_id) DO UPDATE SET telegram_chat_id = excluded.telegram_chat_id,
      telegram_username = excluded.telegram_username, username = excluded.username, registered_at = excluded.registered_at`)
  const recordAttempt = database.prepare('INSERT INTO registration_attempt (telegram_user_id, username, outcome, attempted_at) VALUES (?, ?, ?, ?)')

  // Like the procedure: one transaction checks the credentials, links the user and records the attempt.
  const register = database.transaction((request: Parameters<RegistrationStore['register']>[0]) => {
    const account = findAccount.get(request.username)
    const accepted = account !== undefined && timingSafeEqual(account.token_sha256, sha256(request.token))
    const at = new Date().toISOString()
    if (accepted) {
      linkUser.run({ ...request, telegramUsername: request.telegramUsername ?? null, at })
    }
    const outcome = accepted ? 'registered' : 'rejected'
    recordAttempt.run(request.telegramUserId, request.username, outcome, at)
    return outcome
  })

  return {
    database,
    async register (request) { return register(request) },
    async check () { database.prepare('SELECT 1').get() },
    async close () { if (database.open) database.close() }
  }
}
