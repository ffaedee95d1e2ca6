import type { FastifyInstance } from 'fastify'
import type { DestinationStream } from 'pino'
import { loadConfig, type Config } from '../config.js'
import { loadSqliteDriver } from '../db/sqlite-driver.js'
import { buildWebhookApp } from '../webhook-app.js'
import { workerPlugins } from '../worker/app.js'
import type { EmbeddedQueues } from './embedded-sqs.js'
import { describeDatabase, embedLedger, embedQueues, embedTelegram, startPollers, wireTelegram, type Assembly } from './runtime-parts.js'
import { listenFailure } from './startup-errors.js'
import type { TelegramEmulator } from './telegram-emulator.js'

export interface LocalRuntimeOptions {
  env?: NodeJS.ProcessEnv
  /** Delete the embedded database first. */
  fresh?: boolean
  /** Let the polling relay delete a webhook that is set. */
  force?: boolean
  logDestination?: DestinationStream
  /** How soon a failed record comes back; the deployed queue waits 6 × the worker timeout. */
  visibilityTimeoutSeconds?: number
  /** The worker's per-invocation time, as the Lambda timeout. */
  invocationTimeoutMs?: number
  /** The emulator's webhook retry (Telegram: 1 s doubling up to a minute). */
  webhookRetry?: { initialDelayMs: number, maxDelayMs: number }
  /** Write .data/runtime.json for `npm run chat` (off in tests that run in parallel). */
  writeRuntimeFile?: boolean
}

export interface LocalRuntime {
  config: Config
  app: FastifyInstance
  webhookUrl: string
  emulator?: TelegramEmulator
  queues?: EmbeddedQueues
  /** The lines of the start-up block: what runs where, and what is embedded. */
  summary: string[]
  close: () => Promise<void>
}

/**
 * The whole pipeline in one process, through exactly the code that runs in Lambda: the Fastify app
 * serves the webhook, a poller plays Lambda's SQS event source for the worker and the dead-letter
 * handler, and whatever is not configured is embedded (SQS emulator, DynamoDB for the update ledger,
 * SQLite, Telegram emulator).
 */
export async function startLocalRuntime (options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const env = options.env ?? process.env
  const settings = loadConfig(env, {})
  const assembly: Assembly = { env: {}, summary: [], cleanups: [] }
  const close = async (): Promise<void> => {
    for (const cleanup of assembly.cleanups.splice(0).reverse()) await cleanup()
  }

  try {
    // A driver built for another Node stops start-up at once, before anything is embedded.
    if (settings.database.connectionString.startsWith('sqlite:')) loadSqliteDriver()
    const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 10
    const emulator = await embedTelegram(assembly, settings, options.webhookRetry)
    const queues = await embedQueues(assembly, settings, visibilityTimeoutSeconds)
    await embedLedger(assembly, settings)
    const config = loadConfig({ ...env, ...assembly.env }, {})
    await describeDatabase(assembly, config, options.fresh === true)

    // One process plays all three functions: the webhook's queue and route beside the worker's plugins.
    const app = buildWebhookApp(config, { plugins: workerPlugins, logDestination: options.logDestination })
    assembly.cleanups.push(async () => { await app.close() })
    const { host, port } = config.server
    await app.listen({ host, port }).catch((error: unknown) => { throw listenFailure(error, { what: 'the webhook server', host, port, portSetting: 'PORT' }) })
    const address = app.server.address()
    const origin = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${typeof address === 'object' && address !== null ? address.port : port}`
    const webhookUrl = `${origin}/telegram/webhook`
    assembly.summary.unshift(`Webhook       POST ${webhookUrl}   Health: GET ${origin}/health?deep=true`)
    assembly.summary.push(`Secret        ${env.TELEGRAM_WEBHOOK_SECRET === undefined || env.TELEGRAM_WEBHOOK_SECRET === '' ? 'derived from the bot token' : 'TELEGRAM_WEBHOOK_SECRET'}`)

    startPollers(assembly, app, queues, emulator, { visibilityTimeoutSeconds, invocationTimeoutMs: options.invocationTimeoutMs })
    await wireTelegram(assembly, app, emulator, { webhookUrl, force: options.force === true, writeRuntimeFile: options.writeRuntimeFile !== false })
    return { config, app, webhookUrl, emulator, queues, summary: assembly.summary, close }
  } catch (error) {
    await close()
    throw error
  }
}
