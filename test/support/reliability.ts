import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { secretsOf } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import type { SqliteDatabase } from '../../src/db/sqlite-database.js'
import { startEmbeddedQueues, type EmbeddedQueues } from '../../src/local/embedded-sqs.js'
import { startQueuePoller, type BatchHandler, type QueuePoller } from '../../src/local/queue-poller.js'
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime.js'
import type { TelegramEmulator } from '../../src/local/telegram-emulator.js'
import { createSqsQueue } from '../../src/plugins/queue.js'
import { createDeadLetterHandler } from '../../src/worker/dead-letter.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { startTcpProxy, type ProxyMode, type TcpProxy } from './faults.js'
import { captureLogs, capturedLogLines } from './log-capture.js'

/** Harnesses of the reliability suite: the whole local pipeline, with room for faults between its parts. */

export type Runtime = LocalRuntime & { emulator: TelegramEmulator }

/** Fast retries everywhere, so that a fault and its recovery fit in a test. */
const VISIBILITY_TIMEOUT_SECONDS = 1
const WEBHOOK_RETRY = { initialDelayMs: 20, maxDelayMs: 200 }

function withEmulator (runtime: LocalRuntime): Runtime {
  if (runtime.emulator === undefined) throw new Error('expected the embedded Telegram emulator')
  return { ...runtime, emulator: runtime.emulator }
}

/**
 * `npm start` on free ports: emulator → webhook → embedded SQS → poller → worker → emulator,
 * with a visibility timeout of 1 s (DLQ after 5 receives) and webhook retries of 20–200 ms.
 */
export async function startRuntime (t: Test, env: Record<string, string> = {}): Promise<Runtime> {
  const runtime = await startLocalRuntime({
    env: { PORT: '0', DATABASE_CONNECTION_STRING: 'sqlite::memory:', LOG_LEVEL: 'info', ...env },
    logDestination: captureLogs(),
    visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
    webhookRetry: WEBHOOK_RETRY,
    writeRuntimeFile: false
  })
  t.teardown(runtime.close)
  return withEmulator(runtime)
}

export interface Pipeline {
  runtime: Runtime
  queues: EmbeddedQueues
  /** Between the webhook and SQS, when asked for. */
  proxy?: TcpProxy
  /**
   * Starts the event sources: the updates queue into `wrap(worker handler)` and the DLQ into the
   * dead-letter handler, as Lambda would. Once only.
   */
  startWorker: (options?: { wrap?: (handler: BatchHandler) => BatchHandler, concurrency?: number }) => void
}

/**
 * The same pipeline with the parts the local runtime hides taken apart: the queues are started here
 * and given to the runtime as "real" ones (so it starts no poller of its own), the webhook may reach
 * them through a proxy, and the worker starts when the test says, through a handler it may wrap.
 */
export async function startPipeline (t: Test, options: { env?: Record<string, string>, proxy?: ProxyMode } = {}): Promise<Pipeline> {
  const queues = await startEmbeddedQueues({ region: 'us-east-1', visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS, maxReceiveCount: 5 })
  const cleanups: Array<() => Promise<void>> = [async () => { await queues.stop() }]
  t.teardown(async () => { for (const cleanup of cleanups.splice(0).reverse()) await cleanup() })

  const proxy = options.proxy === undefined ? undefined : await startTcpProxy(queues.endpoint, options.proxy)
  if (proxy !== undefined) cleanups.push(proxy.close)
  const runtime = withEmulator(await startLocalRuntime({
    env: {
      PORT: '0',
      DATABASE_CONNECTION_STRING: 'sqlite::memory:',
      LOG_LEVEL: 'info',
      QUEUE_URL: queues.updates.url,
      PARKED_QUEUE_URL: queues.parked.url,
      SQS_ENDPOINT: proxy?.url ?? queues.endpoint,
      ...options.env
    },
    logDestination: captureLogs(),
    webhookRetry: WEBHOOK_RETRY,
    writeRuntimeFile: false
  }))
  cleanups.push(runtime.close)

  let started = false
  return {
    runtime,
    queues,
    proxy,
    startWorker ({ wrap = (handler: BatchHandler) => handler, concurrency = 4 } = {}) {
      if (started) throw new Error('the worker is already started')
      started = true
      const { app } = runtime
      const parked = createSqsQueue({ region: 'us-east-1', endpoint: queues.endpoint }, queues.parked.url)
      const onError = (error: unknown): void => { app.log.error({ err: error }, 'local queue poller failed') }
      const common = { client: queues.client, region: 'us-east-1', invocationTimeoutMs: 60_000, visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS, waitTimeSeconds: 1, onError }
      const pollers: QueuePoller[] = [
        startQueuePoller({ ...common, queueUrl: queues.updates.url, queueArn: queues.updates.arn, handler: wrap(createBatchHandler(app)), concurrency }),
        startQueuePoller({ ...common, queueUrl: queues.deadLetters.url, queueArn: queues.deadLetters.arn, handler: createDeadLetterHandler(app, parked), concurrency: 1 })
      ]
      // Before the runtime closes its app: the batches in flight finish with their database.
      cleanups.push(async () => {
        await Promise.all(pollers.map((poller) => poller.stop()))
        parked.close()
      })
    }
  }
}

export interface AttemptRow { id: number, telegram_user_id: number, username: string, outcome: string }
export interface LinkRow { telegram_user_id: number, telegram_username: string | null, username: string }

/** Every row of the embedded store's `registration_attempt`, in the order the procedure ran. */
export function attemptRows (app: FastifyInstance, telegramUserId?: number): AttemptRow[] {
  const database = (app.database as SqliteDatabase).database
  const rows = database.prepare('SELECT id, telegram_user_id, username, outcome FROM registration_attempt ORDER BY id').all() as AttemptRow[]
  return telegramUserId === undefined ? rows : rows.filter((row) => row.telegram_user_id === telegramUserId)
}

export function linkRows (app: FastifyInstance): LinkRow[] {
  const database = (app.database as SqliteDatabase).database
  return database.prepare('SELECT telegram_user_id, telegram_username, username FROM telegram_link ORDER BY telegram_user_id').all() as LinkRow[]
}

/** The texts the bot sent to a chat, in order. */
export function replyTexts (emulator: TelegramEmulator, chatId: number): Array<string | undefined> {
  return emulator.botMessages(chatId).map((message) => message.text)
}

export const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/**
 * Waits a little longer than the visibility timeout (and the webhook's retry cap): a redelivery or a
 * late duplicate would have shown by then. Asserting "exactly once" right after the first answer
 * arrived would prove nothing.
 */
export async function quietPeriod (): Promise<void> {
  await sleep(VISIBILITY_TIMEOUT_SECONDS * 1000 + 200)
}

/** Unhandled rejections of this test process, from the moment this is called. */
export function watchUnhandledRejections (): unknown[] {
  const seen: unknown[] = []
  process.on('unhandledRejection', (reason) => { seen.push(reason) })
  return seen
}

/** Every secret a runtime was configured with: bot token, webhook secret, connection string, DEV_ACCOUNTS tokens. */
export function configuredSecrets (runtime: Pick<LocalRuntime, 'config'>): string[] {
  return secretsOf(runtime.config)
}

/** Everything the bot sent to Telegram (every Bot API call's parameters), as text. */
export function botApiTraffic (emulator: TelegramEmulator): string[] {
  return emulator.calls.map((call) => JSON.stringify(call.params))
}

/**
 * The leak scan: no secret value in any log line this process captured, nor in `texts` (the bot's
 * Bot API traffic, replies included). Values shorter than 6 characters are too common to mean a leak.
 */
export function assertNoSecretLeaks (t: Test, secrets: readonly string[], texts: readonly string[] = []): void {
  const values = [...new Set(secrets)].filter((value) => value.length >= 6)
  t.ok(values.length > 0, 'there are secrets to look for')
  t.ok(capturedLogLines.length > 0, 'there are log lines to search')
  for (const value of values) {
    const logLine = capturedLogLines.find((line) => line.includes(value))
    t.equal(logLine, undefined, `no log line holds the secret ${describeSecret(value)}`)
    const text = texts.find((candidate) => candidate.includes(value))
    t.equal(text, undefined, `nothing sent to Telegram holds the secret ${describeSecret(value)}`)
  }
}

/**
 * One file's leak and rejection watch: `track` each app (its configured secrets) and the Telegram it
 * talked to; `assertClean` at the end scans every captured log line and everything sent to Telegram
 * for those secrets (plus `extraSecrets`), and checks that no promise rejection went unhandled.
 */
export function watchForLeaks (): {
  track: (config: Config, telegram: TelegramEmulator) => void
  assertClean: (t: Test, extraSecrets?: readonly string[]) => void
} {
  const unhandled = watchUnhandledRejections()
  const secrets: string[] = []
  const telegrams: TelegramEmulator[] = []
  return {
    track (config, telegram) {
      secrets.push(...secretsOf(config))
      telegrams.push(telegram)
    },
    assertClean (t, extraSecrets = []) {
      assertNoSecretLeaks(t, [...secrets, ...extraSecrets], telegrams.flatMap(botApiTraffic))
      t.same(unhandled, [], 'no unhandled rejection')
    }
  }
}

/** Every run of `length` consecutive characters of a value: what a leak of part of it would show. */
export function runsOf (value: string, length = 6): string[] {
  return Array.from({ length: Math.max(0, value.length - length + 1) }, (_, start) => value.slice(start, start + length))
}

/** The first run of 6 characters of any of the tokens that one of the texts holds, if any. */
export function findTokenRun (texts: readonly string[], tokens: readonly string[]): { run: string, token: string, text: string } | undefined {
  for (const token of tokens) {
    for (const run of runsOf(token)) {
      const text = texts.find((candidate) => candidate.includes(run))
      if (text !== undefined) return { run, token, text }
    }
  }
  return undefined
}

/**
 * The partial leak scan for /register tokens: no log line this process captured, nor any of `texts`,
 * holds a run of 6 or more characters of any of them (a token cut short by an error is still a leak).
 */
export function assertNoTokenRuns (t: Test, tokens: readonly string[], texts: readonly string[] = []): void {
  t.ok(tokens.length > 0 && tokens.every((token) => token.length >= 6), 'there are tokens to look for')
  const inLogs = findTokenRun(capturedLogLines, tokens)
  t.equal(inLogs === undefined ? undefined : `a run of the token ${describeSecret(inLogs.token)} in: ${inLogs.text.replace(inLogs.run, '<RUN>')}`, undefined, 'no log line holds a run of 6 characters of a /register token')
  const sent = findTokenRun(texts, tokens)
  t.equal(sent === undefined ? undefined : `a run of the token ${describeSecret(sent.token)}`, undefined, 'nothing sent to Telegram holds a run of 6 characters of a /register token')
}

/** Names a secret in an assertion without printing any of it (not even a prefix: test output is a log too). */
function describeSecret (value: string): string {
  return `of ${value.length} characters`
}
