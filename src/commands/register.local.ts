import { createHash, timingSafeEqual } from 'node:crypto'
import type { LocalDatabase } from '../db/local-database.js'

// The platform's accounts (seeded from DEV_ACCOUNTS) and what the procedure writes: the link, and every attempt.
// The local runtime and the tests read telegram_link and registration_attempt.
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

/** `dbo.PartyTelegramUser_REGISTER_tr` on the embedded database: RETURN 0 when the credentials match an account, 1 otherwise. */
export const local: LocalDatabase = {
  schema: SCHEMA,
  seed (database, { devAccounts }) {
    const seedAccount = database.prepare('INSERT INTO platform_account (username, token_sha256) VALUES (?, ?) ON CONFLICT (username) DO UPDATE SET token_sha256 = excluded.token_sha256')
    for (const account of devAccounts) seedAccount.run(account.username, sha256(account.token))
  },
  implementations: {
    // Like the procedure: one transaction checks the credentials, links the user and records the attempt.
    // Under the name of register.ts's contract (not imported: register.ts loads this module, and no two files
    // import each other); a name that differs fails the first local call with "no local implementation".
    'dbo.PartyTelegramUser_REGISTER_tr': (database, parameters) => database.transaction(() => {
      const { TelegramUserId, TelegramChatId, TelegramUsername, Username, Token } = parameters
      const account = database.prepare<[unknown], { token_sha256: Buffer }>('SELECT token_sha256 FROM platform_account WHERE username = ?').get(Username)
      const accepted = account !== undefined && timingSafeEqual(account.token_sha256, sha256(String(Token)))
      const at = new Date().toISOString()
      if (accepted) {
        database.prepare(`
          INSERT INTO telegram_link (telegram_user_id, telegram_chat_id, telegram_username, username, registered_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (telegram_user_id) DO UPDATE SET telegram_chat_id = excluded.telegram_chat_id,
            telegram_username = excluded.telegram_username, username = excluded.username, registered_at = excluded.registered_at`)
          .run(TelegramUserId, TelegramChatId, TelegramUsername, Username, at)
      }
      database.prepare('INSERT INTO registration_attempt (telegram_user_id, username, outcome, attempted_at) VALUES (?, ?, ?, ?)')
        .run(TelegramUserId, Username, accepted ? 'registered' : 'rejected', at)
      return { returnValue: accepted ? 0 : 1, output: {}, rows: [] }
    })()
  }
}
