import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import type { Config } from '../../src/config.js'
import type { EmbeddedDynamoDb } from '../../src/local/embedded-dynamodb.js'
import { startTelegramEmulator, type TelegramEmulator } from '../../src/local/telegram-emulator.js'
import type { BotCommand } from '../../src/commands/command.js'
import { workerPlugins, workerPluginsFor } from '../../src/worker/app.js'
import { buildTestApp, testConfig } from '../helper.js'
import { startBotApiProxy, type BotApiProxy, type BotApiRule } from './bot-api-proxy.js'
import { startLedgerDynamoDb } from './dynamodb.js'

export interface WorkerFixture {
  app: FastifyInstance
  telegram: TelegramEmulator
  config: Config
  /** The ledger's DynamoDB (dynalite). */
  dynamo: EmbeddedDynamoDb
  /** Between the bot and the emulator, when the test gave Bot API rules. */
  botApi?: BotApiProxy
}

/**
 * The worker app (SQLite in memory, DEV_ACCOUNTS demo, the update ledger on an in-process dynalite)
 * wired to a fresh Telegram emulator, closed when the test ends. `commands`: a registry other than the
 * bot's (test/support/commands/index.ts), known to the dispatcher and the database alike.
 */
export async function startWorkerFixture (
  t: Test,
  env: Record<string, string | undefined> = {},
  botApiRule?: (method: string, params: Record<string, unknown>) => BotApiRule,
  commands?: readonly BotCommand[]
): Promise<WorkerFixture> {
  const telegram = await startTelegramEmulator({ botUsername: 'register_test_bot' })
  t.teardown(async () => { await telegram.close() })
  const botApi = botApiRule === undefined ? undefined : await startBotApiProxy(t, telegram.url, botApiRule)
  const dynamo = await startLedgerDynamoDb(t)
  const config = testConfig({
    ...dynamo.env,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: botApi?.url ?? telegram.url,
    DEV_ACCOUNTS: 'demo:demo-token,alice:alice-secret-token',
    ...env
  })
  const app = await buildTestApp(t, config, commands === undefined ? workerPlugins : workerPluginsFor(commands))
  return { app, telegram, config, dynamo, botApi }
}
