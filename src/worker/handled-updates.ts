import { loadConfig } from '../config.js'
import type { UpdateType } from '../telegram/update-types.js'
import { buildWorkerApp } from './app.js'

/** Telegram's `allowed_updates` for these handled types: one sorted list, whoever sets the webhook. */
export function allowedUpdatesOf (handled: ReadonlySet<UpdateType>): UpdateType[] {
  return [...handled].sort()
}

/**
 * The update types the Worker handles, read from the Worker app itself: its plugins' `bot.on`
 * registrations (src/plugins/bot.ts). The app is built offline and closed again, nothing is called: a
 * placeholder token, an in-memory database, a ledger table name that is never reached. A new
 * `bot.on('edited_message', …)` in any Worker plugin is in this list without anything else to edit.
 */
export async function handledUpdateTypes (): Promise<UpdateType[]> {
  const app = buildWorkerApp(loadConfig({
    TELEGRAM_BOT_TOKEN: '0:placeholder-never-used-to-call-telegram',
    DATABASE_CONNECTION_STRING: 'sqlite::memory:',
    LEDGER_TABLE: 'never-reached',
    LOG_LEVEL: 'silent'
  }, {}))
  try {
    await app.ready()
    return allowedUpdatesOf(app.handledUpdateTypes)
  } finally {
    await app.close()
  }
}
