import type { LocalDatabase } from '../../../src/db/local-database.js'

/** `dbo.PartyOpenBets_tf` on the embedded database: every DEV_ACCOUNTS account has one open bet. */
export const local: LocalDatabase = {
  schema: `CREATE TABLE IF NOT EXISTS open_bet (
    bet_id INTEGER PRIMARY KEY, username TEXT NOT NULL, event TEXT NOT NULL, stake TEXT NOT NULL, placed_at TEXT NOT NULL, boosted INTEGER
  );`,
  seed (database, { devAccounts }) {
    const seed = database.prepare("INSERT OR IGNORE INTO open_bet (bet_id, username, event, stake, placed_at, boosted) VALUES (?, ?, 'Final: Reds v Blues', '25.00', '2026-11-28T18:00:00Z', NULL)")
    for (const [index, account] of devAccounts.entries()) seed.run(9_007_199_254_740_993n + BigInt(index), account.username)
  },
  implementations: {
    'dbo.PartyOpenBets_tf': (database, { TelegramUserId, MaxRows }) => {
      // SQLite's own values (bet ids as BigInts beyond 2^53, the bit as 0/1, the time as ISO text): the port
      // gives them to the command as SQL Server's.
      const rows = database.prepare(`
        SELECT bet.bet_id AS BetId, bet.event AS Event, bet.stake AS Stake, bet.placed_at AS PlacedAt, bet.boosted AS Boosted
        FROM telegram_link link JOIN open_bet bet ON bet.username = link.username
        WHERE link.telegram_user_id = ? ORDER BY bet.placed_at DESC LIMIT ?`).safeIntegers(true).all(TelegramUserId, MaxRows) as Array<Record<string, unknown>>
      return { rows }
    }
  }
}
