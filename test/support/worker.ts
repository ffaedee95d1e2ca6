import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import type { Config } from '../../src/config.js'
import { startTelegramEmulator, type TelegramEmulator } from '../../src/local/telegram-emulator.js'
import { workerPlugins } from '../../src/worker/app.js'
import { buildTestApp, testConfig } from '../helper.js'

export interface WorkerFixture {
  app: FastifyInstance
  telegram: TelegramEmulator
  config: Config
}

/**
 * The worker app (SQLite in memory, DEV_ACCOUNTS demo) wired to a fresh Telegram emulator,
 * closed when the test ends.
 */
export async function startWorkerFixture (t: Test, env: Record<string, string | undefined> = {}): Promise<WorkerFixture> {
  const telegram = await startTelegramEmulator({ botUsername: 'register_test_bot' })
  t.teardown(async () => { await telegram.close() })
  const config = testConfig({
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    DEV_ACCOUNTS: 'demo:demo-token,alice:alice-secret-token',
    ...env
  })
  const app = await buildTestApp(t, config, workerPlugins)
  return { app, telegram, config }
}
