/**
 * One cold start, in a fresh `node` process: what Lambda's Node.js runtime does at init and on the
 * first event. Imports the bundle given as argv[2] (its top-level await included), invokes its
 * `handler` once with the event in BENCH_EVENT, and writes the timings as one JSON line to fd 3.
 * All times are `performance.now()`: milliseconds since this process's time origin (its start).
 */
import { writeSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { lambdaContext } from './lambda-context.js'

export interface ColdSample {
  /** Node's own bootstrap finished. */
  bootstrapMs: number
  /** This runner started (bootstrap + loading this tiny module). */
  runnerMs: number
  /** The bundle's import took this long (parse, evaluate, top-level await). */
  importMs: number
  /** The first invocation took this long. */
  invokeMs: number
  /** Process start to end of the first invocation. */
  totalMs: number
  /**
   * CPU time (user + system, all threads) the process used up to the end of the first invocation:
   * what other work on the machine inflates far less than wall time.
   */
  cpuMs: number
  rssBytes: number
  heapUsedBytes: number
  /** Whether the handler's answer was a success (200, or no batch item failures). */
  ok: boolean
  answer: string
}

const runnerMs = performance.now()
const bundle = process.argv[2] ?? ''
const event: unknown = JSON.parse(process.env.BENCH_EVENT ?? 'null')
delete process.env.BENCH_EVENT
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench'
// The function's configured timeout: the Worker budgets its records against the remaining time.
const timeoutMs = Number(process.env.BENCH_TIMEOUT_MS ?? 10_000)

const module = await import(pathToFileURL(bundle).href) as { handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown> }
const importedMs = performance.now()
const answer = await module.handler(event, lambdaContext(functionName, timeoutMs))
const totalMs = performance.now()
const cpu = process.cpuUsage()

const memory = process.memoryUsage()
const result = answer as { statusCode?: number, batchItemFailures?: unknown[] } | undefined
const sample: ColdSample = {
  bootstrapMs: performance.nodeTiming.bootstrapComplete,
  runnerMs,
  importMs: importedMs - runnerMs,
  invokeMs: totalMs - importedMs,
  totalMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  rssBytes: memory.rss,
  heapUsedBytes: memory.heapUsed,
  ok: result?.statusCode === 200 || (Array.isArray(result?.batchItemFailures) && result.batchItemFailures.length === 0),
  answer: JSON.stringify(answer).slice(0, 200)
}
writeSync(3, `${JSON.stringify(sample)}\n`)
// Lambda freezes the process here; the SQS client's and the app's open sockets must not keep it alive.
process.exit(0)
