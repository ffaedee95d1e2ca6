import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { MAX_RECEIVE_COUNT, WORKER } from '../../infra/settings.js'
import type { Config } from '../config.js'
import { createSqsQueue } from '../plugins/queue.js'
import { createDeadLetterHandler } from '../worker/dead-letter.js'
import { allowedUpdatesOf } from '../worker/handled-updates.js'
import { createBatchHandler } from '../worker/process-batch.js'
import { startEmbeddedDynamoDb } from './embedded-dynamodb.js'
import { startEmbeddedQueues, type EmbeddedQueues } from './embedded-sqs.js'
import { startPollingRelay } from './polling-relay.js'
import { reportingTo } from './processing-report.js'
import { startQueuePoller, type BatchHandler } from './queue-poller.js'
import { RUNTIME_FILE, type RuntimeFileContents } from './runtime-file.js'
import { listenFailure, telegramFailure } from './startup-errors.js'
import { startTelegramEmulator, type TelegramEmulator } from './telegram-emulator.js'

/**
 * What the local runtime assembles as it starts: the settings of what it embedded (they override the
 * environment), the lines of its start-up block, and what to stop, in reverse, when it closes.
 */
export interface Assembly {
  env: Record<string, string>
  summary: string[]
  cleanups: Array<() => Promise<void>>
}

/** Without TELEGRAM_BOT_TOKEN: the Telegram emulator on PORT + 1. */
export async function embedTelegram (assembly: Assembly, settings: Config, webhookRetry?: { initialDelayMs: number, maxDelayMs: number }): Promise<TelegramEmulator | undefined> {
  if (settings.telegram.botToken !== undefined) {
    assembly.summary.push(`Telegram      real Bot API at ${settings.telegram.apiRoot}`)
    return undefined
  }
  const { host, port: serverPort } = settings.server
  const port = serverPort === 0 || serverPort === 65535 ? 0 : serverPort + 1
  const privacyMode = settings.telegram.emulatedPrivacyMode
  const emulator = await startTelegramEmulator({ host, port, webhookRetry, privacyMode })
    .catch((error: unknown) => { throw listenFailure(error, { what: 'the Telegram emulator', host, port, portSetting: 'PORT + 1' }) })
  assembly.cleanups.push(async () => { await emulator.close() })
  Object.assign(assembly.env, { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.url, TELEGRAM_BOT_USERNAME: emulator.botUsername })
  assembly.summary.push(`Telegram      embedded emulator at ${emulator.url} (bot @${emulator.botUsername}${privacyMode ? ', privacy mode on: in groups only commands, replies and mentions' : ''}); chat with: npm run chat`)
  return emulator
}

/** Without QUEUE_URL: the SQS emulator with the deployed chain of FIFO queues. */
export async function embedQueues (assembly: Assembly, settings: Config, visibilityTimeoutSeconds: number): Promise<EmbeddedQueues | undefined> {
  if (settings.queue.url !== undefined) {
    assembly.summary.push('Queue         real SQS (QUEUE_URL)')
    return undefined
  }
  const queues = await startEmbeddedQueues({ region: settings.queue.region, visibilityTimeoutSeconds, maxReceiveCount: MAX_RECEIVE_COUNT })
  assembly.cleanups.push(async () => { await queues.stop() })
  Object.assign(assembly.env, { QUEUE_URL: queues.updates.url, PARKED_QUEUE_URL: queues.parked.url, SQS_ENDPOINT: queues.endpoint })
  assembly.summary.push(`Queue         embedded SQS emulator at ${queues.endpoint} (FIFO updates → DLQ after ${MAX_RECEIVE_COUNT} receives → parked)`)
  return queues
}

/** Without LEDGER_TABLE: dynalite with the update ledger's table. */
export async function embedLedger (assembly: Assembly, settings: Config): Promise<void> {
  if (settings.ledger.table !== undefined) {
    assembly.summary.push('Ledger        real DynamoDB (LEDGER_TABLE)')
    return
  }
  const dynamo = await startEmbeddedDynamoDb({ region: settings.ledger.region })
  assembly.cleanups.push(dynamo.stop)
  Object.assign(assembly.env, { LEDGER_TABLE: dynamo.ledgerTable, DYNAMODB_ENDPOINT: dynamo.endpoint })
  assembly.summary.push(`Ledger        embedded DynamoDB (dynalite) at ${dynamo.endpoint}, table ${dynamo.ledgerTable} (no TTL sweep: Powertools checks expiry itself)`)
}

/** The embedded SQLite database (emptied first with `fresh`), or the SQL Server the connection string names. */
export async function describeDatabase (assembly: Assembly, config: Config, fresh: boolean): Promise<void> {
  const { connectionString, devAccounts } = config.database
  const sqlitePath = connectionString.startsWith('sqlite:') ? connectionString.slice('sqlite:'.length) : undefined
  if (fresh && sqlitePath !== undefined && sqlitePath !== ':memory:') {
    for (const suffix of ['', '-wal', '-shm']) await rm(`${sqlitePath}${suffix}`, { force: true })
  }
  assembly.summary.push(sqlitePath === undefined
    ? 'Database      SQL Server (DATABASE_CONNECTION_STRING)'
    : `Database      embedded SQLite at ${sqlitePath}; demo accounts: ${devAccounts.map((account) => account.username).join(', ')} (tokens from DEV_ACCOUNTS)`)
}

export interface PollerSettings {
  visibilityTimeoutSeconds: number
  /** The worker's per-invocation time; the Worker's Lambda timeout by default. */
  invocationTimeoutMs?: number
}

/** With the embedded queues: pollers that play Lambda's SQS event source for the Worker and the DeadLetter handlers. */
export function startPollers (assembly: Assembly, app: FastifyInstance, queues: EmbeddedQueues | undefined, emulator: TelegramEmulator | undefined, settings: PollerSettings): void {
  if (queues === undefined) {
    assembly.summary.push('Worker        not started here: QUEUE_URL is a real queue, its Lambda consumes it')
    return
  }
  const shared = {
    client: queues.client,
    region: app.config.queue.region,
    invocationTimeoutMs: settings.invocationTimeoutMs ?? WORKER.timeoutSeconds * 1000,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
    onError: (error: unknown): void => { app.log.error({ err: error }, 'local queue poller failed') }
  }
  const parked = createSqsQueue(app.config.queue, queues.parked.url)
  assembly.cleanups.push(async () => { parked.close() })
  // With the embedded emulator, each outcome is reported to it for `npm run chat`.
  const report = (handler: BatchHandler, role: 'worker' | 'dead-letter'): BatchHandler => emulator === undefined ? handler : reportingTo(emulator, handler, role)
  const pollers = [
    startQueuePoller({ ...shared, queueUrl: queues.updates.url, queueArn: queues.updates.arn, handler: report(createBatchHandler(app), 'worker'), concurrency: 4 }),
    startQueuePoller({ ...shared, queueUrl: queues.deadLetters.url, queueArn: queues.deadLetters.arn, handler: report(createDeadLetterHandler(app, parked), 'dead-letter'), concurrency: 1 })
  ]
  // Runs before the app and the parked queue close: the batches in flight finish with their database.
  assembly.cleanups.push(async () => { await Promise.all(pollers.map((poller) => poller.stop())) })
  assembly.summary.push('Worker        local poller → the Worker and DeadLetter handlers (as Lambda\'s SQS event source)')
}

export interface TelegramWiring {
  webhookUrl: string
  force: boolean
  writeRuntimeFile: boolean
}

/**
 * How updates reach the webhook: the emulator's own webhook (and .data/runtime.json for `npm run chat`),
 * a relay of a real bot's getUpdates, or nothing but POST /telegram/webhook.
 */
export async function wireTelegram (assembly: Assembly, app: FastifyInstance, emulator: TelegramEmulator | undefined, wiring: TelegramWiring): Promise<void> {
  const { telegram } = app.config
  const webhookSecret = telegram.webhookSecret ?? ''
  if (emulator !== undefined) {
    // As telegram:setup sets a deployed bot: only the update types the app registers handlers for.
    await emulator.setWebhook({ url: wiring.webhookUrl, secretToken: webhookSecret, allowedUpdates: allowedUpdatesOf(app.handledUpdateTypes) })
    if (!wiring.writeRuntimeFile) return
    await mkdir(dirname(RUNTIME_FILE), { recursive: true })
    const contents: RuntimeFileContents = { emulatorUrl: emulator.url, botUsername: emulator.botUsername, webhookUrl: wiring.webhookUrl }
    await writeFile(RUNTIME_FILE, JSON.stringify(contents, null, 2))
    assembly.cleanups.push(async () => { await rm(RUNTIME_FILE, { force: true }) })
  } else if (telegram.poll ?? true) {
    const relay = await startPollingRelay({ telegram: app.bot.telegram, webhookUrl: wiring.webhookUrl, webhookSecret, force: wiring.force, log: (line) => { app.log.info(line) } })
      .catch((error: unknown) => { throw telegramFailure(error, telegram.apiRoot) })
    assembly.cleanups.push(async () => { await relay.stop() })
    assembly.summary.push('Updates       relayed from getUpdates to the local webhook (TELEGRAM_POLL=1)')
  } else {
    assembly.summary.push('Updates       only through POST /telegram/webhook (TELEGRAM_POLL=0)')
  }
}
