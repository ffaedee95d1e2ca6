import { API, RUNTIME, WORKER } from '../infra/settings.js'
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../src/local/embedded-dynamodb.js'
import { startTelegramEmulator, type TelegramEmulator } from '../src/local/telegram-emulator.js'
import { TdsResponder } from '../test/support/tds-responder.js'
import { VARIANTS, type Bundles, type VariantName } from './bundle.js'
import type { ColdSample } from './cold-child.js'
import { FIXTURE_SECRET, sqsBatchEvent, textUpdate, webhookEvent } from './events.js'
import { runReportingChild } from './report-child.js'
import type { SqsProcess } from './sqs-process.js'
import { round, summarize } from './stats.js'
import type { Update } from './webhook-event.js'

export type ColdEntry = 'bare' | 'api' | 'worker' | VariantName

export interface ColdEntryResult {
  runs: number
  failures: number
  /** Process start → end of the first invocation, ms. */
  total: { median: number, p90: number, min: number, max: number }
  /** Bundle import (init) and first invocation, medians, ms. */
  importMedian: number
  invokeMedian: number
  /** Node's own bootstrap, median, ms (the same for every entry). */
  bootstrapMedian: number
  /** Spawn → exit as the parent sees it, median, ms (adds process creation and teardown). */
  wallMedian: number
  rssMedianMb: number
  heapUsedMedianMb: number
  /** Median total ÷ the bare baseline's median total. */
  ratioToBare: number
  /**
   * Paired: in each round, this entry's total ÷ the bare baseline's total of the same round (the two
   * ran back to back, so drift on the machine hits both); the median of those ratios, and how many.
   */
  pairedRatioToBare: { median: number, p90: number, pairs: number }
  /** CPU time to the end of the first invocation, median ms, and its paired ratio to the bare baseline's (the same rounds). */
  cpuMedian: number
  pairedCpuRatioToBare: { median: number, p90: number, pairs: number }
  /** The same ratio without Node's bootstrap: (import + invoke) ÷ the baseline's. */
  initInvokeRatioToBare: number
  errors: string[]
}

export interface ColdStartResult {
  /** The Node that ran the bundles (`node --version`). */
  node: string
  runsPerEntry: number
  warmupRounds: number
  order: string
  entries: Partial<Record<ColdEntry, ColdEntryResult>> & Record<'bare' | 'api' | 'worker', ColdEntryResult>
  workerRepliesDelivered: number
}

/** The environment Lambda gives a function (the role's credentials are always in the environment). */
export function lambdaEnv (functionName: string, memoryMb: number, timeoutSeconds: number, extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: ':UTC',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCHMARK',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
    AWS_SESSION_TOKEN: 'bench-session-token',
    AWS_EXECUTION_ENV: `AWS_Lambda_${RUNTIME}`,
    // As every entry here runs it (package.json, bench/run.ts): the SDK's note about Node 20 is not what Lambda runs.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    LOG_LEVEL: 'info',
    BENCH_TIMEOUT_MS: String(timeoutSeconds * 1000),
    ...extra
  }
}

export interface Target {
  file: string
  env: Record<string, string>
  event: (run: number) => unknown
  /** Whether the run had its visible effect (the Worker's reply reached Telegram). */
  afterRun?: (run: number) => boolean
}

export async function runChild (runner: string, target: Target, run: number, node: string): Promise<ColdSample & { wallMs: number }> {
  const started = performance.now()
  const sample = await runReportingChild<ColdSample>(runner, target.file, { ...target.env, BENCH_EVENT: JSON.stringify(target.event(run)) }, 'cold start', node)
  return { ...sample, wallMs: performance.now() - started }
}

export interface WorkerServices {
  telegram: TelegramEmulator
  sqlServer: TdsResponder
  dynamo: EmbeddedDynamoDb
  queueEnv: Record<string, string>
}

/**
 * The Worker's cold start on one real /register: its secrets in its environment as an SST link puts
 * them (`secrets: false`: left out, for a variant that fetches them itself), the Bot API emulator, the
 * TDS responder and dynalite. `extraEnv` adds to the environment.
 */
export function workerTarget (file: string, { telegram, sqlServer, dynamo, queueEnv }: WorkerServices, extraEnv: Record<string, string> = {}, secrets = true): Target {
  const workerUser = (run: number): number => 7_000_000 + run
  return {
    file,
    // QUEUE_URL: the Worker builds the same app, whose queue plugin requires it (see docs/benchmarks.md).
    env: lambdaEnv('bench-worker', WORKER.memoryMb, WORKER.timeoutSeconds, {
      ...queueEnv,
      ...(secrets ? { TELEGRAM_BOT_TOKEN: telegram.token, DATABASE_CONNECTION_STRING: sqlServer.connectionString() } : {}),
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_BOT_USERNAME: telegram.botUsername,
      LEDGER_TABLE: dynamo.ledgerTable,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      ...extraEnv
    }),
    event: (run) => {
      // A real /register update from the emulator, so that the chat exists when the Worker replies.
      const { update_id: id, message } = telegram.sendUserMessage({ from: { id: workerUser(run), first_name: 'Bench' }, text: '/register demo demo-token' })
      const update: Update = { update_id: id, message }
      return sqsBatchEvent(update, run + 1)
    },
    afterRun: (run) => telegram.botMessages(workerUser(run)).length === 1
  }
}

/**
 * Cold starts of each bundle in fresh `node` processes, interleaved round by round (the entry order
 * rotates every round) so that drift on the machine hits every entry alike; the first rounds are
 * discarded warm-ups (file cache, the emulators' JIT). SendMessage goes to fauxqs in its own process;
 * the Worker's reply goes to the Telegram emulator, its procedure call to the TDS responder.
 */
export async function measureColdStarts (bundles: Bundles, sqs: SqsProcess, options: { runs: number, warmupRounds: number, node: string, nodeVersion: string }): Promise<ColdStartResult> {
  const telegram = await startTelegramEmulator({ botUsername: 'bench_register_bot' })
  // SQL Server as Lambda's Worker reaches it: the bundled mssql/tedious driver over TCP (login, one
  // procedure call answering "registered"), against the TDS responder the tests use. Not SQLite: that
  // path needs a native addon built for each Node and skips the driver Lambda loads.
  const sqlServer = await TdsResponder.start()
  // The update ledger as the Worker reaches DynamoDB: its own client over HTTP, here to dynalite (the
  // local runtime's DynamoDB) on loopback. The waits on dynalite count in wall time, as DynamoDB's round
  // trips do on Lambda; its work runs in this process, so it is not in the child's CPU time.
  const dynamo = await startEmbeddedDynamoDb({ region: 'us-east-1' })
  try {
    const queueEnv = { QUEUE_URL: sqs.queueUrl, SQS_ENDPOINT: sqs.endpoint }
    const apiEnv = (name: string): Record<string, string> => lambdaEnv(name, API.memoryMb, API.timeoutSeconds, {
      ...queueEnv,
      TELEGRAM_BOT_TOKEN: '123456789:BENCH-token_0123456789abcdefghijkl',
      TELEGRAM_WEBHOOK_SECRET: FIXTURE_SECRET
    })
    let updateId = 900_000_000
    const webhook = (): unknown => webhookEvent(textUpdate(++updateId, 5550001, '/register demo demo-token'))

    const targets: Partial<Record<ColdEntry, Target>> = {
      bare: { file: bundles.entries.bare.file, env: lambdaEnv('bench-bare', API.memoryMb, API.timeoutSeconds, queueEnv), event: webhook },
      api: { file: bundles.entries.api.file, env: apiEnv('bench-api'), event: webhook },
      worker: workerTarget(bundles.entries.worker.file, { telegram, sqlServer, dynamo, queueEnv })
    }

    for (const name of Object.keys(VARIANTS) as VariantName[]) {
      targets[name] = { file: bundles.variants[name].file, env: apiEnv(`bench-${name}`), event: webhook }
    }
    const names = Object.keys(targets) as ColdEntry[]
    const samples = new Map<ColdEntry, Array<ColdSample & { wallMs: number }>>(names.map((name) => [name, []]))
    // Per measured round, each entry's total: the pairs for the paired ratios.
    const byRound: Array<Partial<Record<ColdEntry, number>>> = []
    const cpuByRound: Array<Partial<Record<ColdEntry, number>>> = []
    const errors = new Map<ColdEntry, string[]>(names.map((name) => [name, []]))
    let delivered = 0
    const rounds = options.warmupRounds + options.runs
    for (let round = 0; round < rounds; round++) {
      const order = names.map((_, index) => names[(index + round) % names.length] as ColdEntry)
      for (const name of order) {
        const run = round * names.length + names.indexOf(name)
        try {
          const target = targets[name] as Target
          const sample = await runChild(bundles.runners.cold, target, run, options.node)
          if (round < options.warmupRounds) continue
          samples.get(name)?.push(sample)
          const totals = byRound[round - options.warmupRounds] ?? {}
          const cpus = cpuByRound[round - options.warmupRounds] ?? {}
          if (sample.ok) {
            totals[name] = sample.totalMs
            cpus[name] = sample.cpuMs
          }
          byRound[round - options.warmupRounds] = totals
          cpuByRound[round - options.warmupRounds] = cpus
          if (target.afterRun?.(run) === true) delivered++
        } catch (error) {
          errors.get(name)?.push((error as Error).message)
        }
      }
    }

    const medianOf = (list: Array<ColdSample & { wallMs: number }>, pick: (sample: ColdSample & { wallMs: number }) => number): number => summarize(list.map(pick)).median
    const bare = samples.get('bare') ?? []
    const bareTotal = medianOf(bare, (sample) => sample.totalMs)
    const bareInitInvoke = medianOf(bare, (sample) => sample.importMs + sample.invokeMs)
    const entries = {} as ColdStartResult['entries']
    for (const name of names) {
      const list = samples.get(name) ?? []
      const total = summarize(list.map((sample) => sample.totalMs))
      const pairedOf = (rounds: Array<Partial<Record<ColdEntry, number>>>) => summarize(rounds.flatMap((values) => values[name] !== undefined && values.bare !== undefined ? [values[name] / values.bare] : []))
      const paired = pairedOf(byRound)
      const pairedCpu = pairedOf(cpuByRound)
      entries[name] = {
        runs: list.length,
        failures: list.filter((sample) => !sample.ok).length + (errors.get(name)?.length ?? 0),
        total: { median: round(total.median), p90: round(total.p90), min: round(total.min), max: round(total.max) },
        importMedian: round(medianOf(list, (sample) => sample.importMs)),
        invokeMedian: round(medianOf(list, (sample) => sample.invokeMs)),
        bootstrapMedian: round(medianOf(list, (sample) => sample.bootstrapMs)),
        wallMedian: round(medianOf(list, (sample) => sample.wallMs)),
        rssMedianMb: round(medianOf(list, (sample) => sample.rssBytes) / 2 ** 20, 1),
        heapUsedMedianMb: round(medianOf(list, (sample) => sample.heapUsedBytes) / 2 ** 20, 1),
        ratioToBare: round(total.median / bareTotal),
        pairedRatioToBare: { median: round(paired.median), p90: round(paired.p90), pairs: paired.count },
        cpuMedian: round(medianOf(list, (sample) => sample.cpuMs)),
        pairedCpuRatioToBare: { median: round(pairedCpu.median), p90: round(pairedCpu.p90), pairs: pairedCpu.count },
        initInvokeRatioToBare: round(medianOf(list, (sample) => sample.importMs + sample.invokeMs) / bareInitInvoke),
        errors: [...new Set([...(errors.get(name) ?? []), ...list.filter((sample) => !sample.ok).map((sample) => `answer: ${sample.answer}`)])].slice(0, 3)
      }
    }
    return { node: options.nodeVersion, runsPerEntry: options.runs, warmupRounds: options.warmupRounds, order: 'round-robin, rotated each round', entries, workerRepliesDelivered: delivered }
  } finally {
    await telegram.close()
    await sqlServer.stop()
    await dynamo.stop()
  }
}
