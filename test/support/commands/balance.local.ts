import type { LocalDatabase } from '../../../src/db/local-database.js'

/** `dbo.PartyBalance_GET_tr` on the embedded database: every DEV_ACCOUNTS account holds 1234.50 EUR. */
export const local: LocalDatabase = {
  schema: 'CREATE TABLE IF NOT EXISTS account_balance (username TEXT PRIMARY KEY, currency TEXT NOT NULL, amount TEXT NOT NULL);',
  seed (database, { devAccounts }) {
    const seed = database.prepare("INSERT OR IGNORE INTO account_balance (username, currency, amount) VALUES (?, 'EUR', '1234.50')")
    for (const account of devAccounts) seed.run(account.username)
  },
  implementations: {
    'dbo.PartyBalance_GET_tr': (database, { TelegramUserId }) => ({
      output: {},
      rows: database.prepare(`
        SELECT balance.currency AS Currency, balance.amount AS Amount
        FROM telegram_link link JOIN account_balance balance ON balance.username = link.username
        WHERE link.telegram_user_id = ?`).all(TelegramUserId) as Array<Record<string, string>>
    })
  }
}
