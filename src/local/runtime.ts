import { rm, writeFile, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { DestinationStream } from 'pino'
import { MAX_RECEIVE_COUNT, WORKER } from '../../infra/settings.js'
import { loadConfig, type Config } from '../config.js'
import { createSqsQueue } from '../plugins/queue.js'
import { buildApp } from '../app.js'
import { webhookParts } from '../webhook-app.js'
import { createDeadLetterHandler } from '../worker/dead-letter.js'
import { workerPlugins } from '../worker/app.js'
import { createBatchHandler } from '../worker/process-batch.js'
import { startEmbeddedDynamoDb } from './embedded-dynamodb.js'
import { startEmbeddedQueues, type EmbeddedQueues } from './embedded-sqs.js'
import { RUNTIME_FILE, type RuntimeFileContents } from './runtime-file.js'
import { startPollingRelay, type PollingRelay } from './polling-relay.js'
import { reportingTo } from './processing-report.js'
import { startQueuePoller, type BatchHandler, type QueuePoller } from './queue-poller.js'
import { listenFailure, telegramFailure } from './startup-errors.js'
import { startTelegramEmulator, type TelegramEmulator } from './telegram-emulator.js'

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
  const cleanups: Array<() => Promise<void>> = []
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  }

  try {
    const embeddedEnv: Record<string, string> = {}
    const summary: string[] = []

    let emulator: TelegramEmulator | undefined
    if (settings.telegram.botToken === undefined) {
      const port = settings.server.port === 0 || settings.server.port === 65535 ? 0 : settings.server.port + 1
      emulator = await startTelegramEmulator({ host: settings.server.host, port, webhookRetry: options.webhookRetry })
        .catch((error: unknown) => { throw listenFailure(error, { what: 'the Telegram emulator', host: settings.server.host, port, portSetting: 'PORT + 1' }) })
      cleanups.push(async () => { await emulator?.close() })
      Object.assign(embeddedEnv, { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.url, TELEGRAM_BOT_USERNAME: emulator.botUsername })
      summary.push(`Telegram      embedded emulator at ${emulator.url} (bot @${emulator.botUsername}); chat with: npm run chat`)
    } else {
      summary.push(`Telegram      real Bot API at ${settings.telegram.apiRoot}`)
    }

    let queues: EmbeddedQueues | undefined
    const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 10
    if (settings.queue.url === undefined) {
      queues = await startEmbeddedQueues({ region: settings.queue.region, visibilityTimeoutSeconds, maxReceiveCount: MAX_RECEIVE_COUNT })
      cleanups.push(async () => { await queues?.stop() })
      Object.assign(embeddedEnv, { QUEUE_URL: queues.updates.url, PARKED_QUEUE_URL: queues.parked.url, SQS_ENDPOINT: queues.endpoint })
      summary.push(`Queue         embedded SQS emulator at ${queues.endpoint} (FIFO updates → DLQ after ${MAX_RECEIVE_COUNT} receives → parked)`)
    } else {
      summary.push('Queue         real SQS (QUEUE_URL)')
    }

    if (settings.ledger.table === undefined) {
      const dynamo = await startEmbeddedDynamoDb({ region: settings.ledger.region })
      cleanups.push(dynamo.stop)
      Object.assign(embeddedEnv, { LEDGER_TABLE: dynamo.ledgerTable, DYNAMODB_ENDPOINT: dynamo.endpoint })
      summary.push(`Ledger        embedded DynamoDB (dynalite) at ${dynamo.endpoint}, table ${dynamo.ledgerTable} (no TTL sweep: Powertools checks expiry itself)`)
    } else {
      summary.push('Ledger        real DynamoDB (LEDGER_TABLE)')
    }

    const config = loadConfig({ ...env, ...embeddedEnv }, {})
    const sqlitePath = config.database.connectionString.startsWith('sqlite:') ? config.database.connectionString.slice('sqlite:'.length) : undefined
    if (options.fresh === true && sqlitePath !== undefined && sqlitePath !== ':memory:') {
      for (const suffix of ['', '-wal', '-shm']) await rm(`${sqlitePath}${suffix}`, { force: true })
    }
    summary.push(sqlitePath === undefined
      ? 'Database      SQL Server (DATABASE_CONNECTION_STRING)'
      : `Database      embedded SQLite at ${sqlitePath}; demo accounts: ${config.database.devAccounts.map((account) => account.username).join(', ')} (tokens from DEV_ACCOUNTS)`)

    // One process plays all three functions: the webhook's queue and route beside the worker's plugins.
    const app = buildApp(config, { plugins: [...webhookParts.plugins, ...workerPlugins], routes: webhookParts.routes, logDestination: options.logDestination })
    cleanups.push(async () => { await app.close() })
    await app.listen({ host: config.server.host, port: config.server.port })
      .catch((error: unknown) => { throw listenFailure(error, { what: 'the webhook server', host: config.server.host, port: config.server.port, portSetting: 'PORT' }) })
    const address = app.server.address()
    const port = typeof address === 'object' && address !== null ? address.port : config.server.port
    const urlHost = config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host
    const webhookUrl = `http://${urlHost}:${port}/telegram/webhook`
    const webhookSecret = config.telegram.webhookSecret ?? ''
    summary.unshift(`Webhook       POST ${webhookUrl}   Health: GET http://${urlHost}:${port}/health?deep=true`)
    summary.push(`Secret        ${env.TELEGRAM_WEBHOOK_SECRET === undefined || env.TELEGRAM_WEBHOOK_SECRET === '' ? 'derived from the bot token' : 'TELEGRAM_WEBHOOK_SECRET'}`)

    if (queues !== undefined) {
      const shared = {
        client: queues.client,
        region: config.queue.region,
        invocationTimeoutMs: options.invocationTimeoutMs ?? WORKER.timeoutSeconds * 1000,
        visibilityTimeoutSeconds,
        onError: (error: unknown): void => { app.log.error({ err: error }, 'local queue poller failed') }
      }
      const parked = createSqsQueue(config.queue, queues.parked.url)
      cleanups.push(async () => { parked.close() })
      // With the embedded emulator, each outcome is reported to it for `npm run chat`.
      const report = (handler: BatchHandler, role: 'worker' | 'dead-letter'): BatchHandler => emulator === undefined ? handler : reportingTo(emulator, handler, role)
      const pollers: QueuePoller[] = [
        startQueuePoller({ ...shared, queueUrl: queues.updates.url, queueArn: queues.updates.arn, handler: report(createBatchHandler(app), 'worker'), concurrency: 4 }),
        startQueuePoller({ ...shared, queueUrl: queues.deadLetters.url, queueArn: queues.deadLetters.arn, handler: report(createDeadLetterHandler(app, parked), 'dead-letter'), concurrency: 1 })
      ]
      // Runs before the app and the parked queue close: the batches in flight finish with their database.
      cleanups.push(async () => { await Promise.all(pollers.map((poller) => poller.stop())) })
      summary.push('Worker        local poller → the Worker and DeadLetter handlers (as Lambda\'s SQS event source)')
    } else {
      summary.push('Worker        not started here: QUEUE_URL is a real queue, its Lambda consumes it')
    }

    if (emulator !== undefined) {
      await emulator.setWebhook({ url: webhookUrl, secretToken: webhookSecret })
      if (options.writeRuntimeFile !== false) {
        await mkdir(dirname(RUNTIME_FILE), { recursive: true })
        const contents: RuntimeFileContents = { emulatorUrl: emulator.url, botUsername: emulator.botUsername, webhookUrl }
        await writeFile(RUNTIME_FILE, JSON.stringify(contents, null, 2))
        cleanups.push(async () => { await rm(RUNTIME_FILE, { force: true }) })
      }
    } else if (config.telegram.poll ?? true) {
      const relay: PollingRelay = await startPollingRelay({
        telegram: app.bot.telegram,
        webhookUrl,
        webhookSecret,
        force: options.force === true,
        log: (line) => { app.log.info(line) }
      }).catch((error: unknown) => { throw telegramFailure(error, config.telegram.apiRoot) })
      cleanups.push(async () => { await relay.stop() })
      summary.push('Updates       relayed from getUpdates to the local webhook (TELEGRAM_POLL=1)')
    } else {
      summary.push('Updates       only through POST /telegram/webhook (TELEGRAM_POLL=0)')
    }

    return { config, app, webhookUrl, emulator, queues, summary, close }
  } catch (error) {
    await close()
    throw error
  }
}
