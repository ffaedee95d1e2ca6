/**
 * Warm webhook invocations in one process, as one warm Lambda instance serves them: one event at a
 * time through the Api bundle's `handler`. Phase `noQueue` replaces only the app's `updateQueue.send`
 * with an immediate resolve (everything else runs: API Gateway v2 translation, secret check, JSON
 * parse, schema, group/dedup ids, logging, response); phase `sqs` keeps the real SendMessage to the
 * SQS emulator. Results go to fd 3 as one JSON line.
 */
import { channel } from 'node:diagnostics_channel'
import { writeSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { lambdaContext } from './lambda-context.js'
import { textUpdate, withUpdate } from './webhook-event.js'

export interface PhaseResult {
  invocations: number
  requestsPerSecond: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  non200: number
}

/** Each phase is repeated (alternating with the other): every repetition, and the median of each figure over them. */
export type WarmResult = Record<'noQueue' | 'sqs', { median: PhaseResult, repetitions: PhaseResult[] }>

interface QueueHolder { updateQueue: { send: (update: unknown) => Promise<void> } }
type Handler = (event: APIGatewayProxyEventV2, context: ReturnType<typeof lambdaContext>) => Promise<{ statusCode?: number }>

const [bundle = ''] = process.argv.slice(2)
const template = JSON.parse(process.env.BENCH_EVENT ?? 'null') as APIGatewayProxyEventV2
const warmup = Number(process.env.BENCH_WARMUP ?? 500)
const invocationsOf = { noQueue: Number(process.env.BENCH_INVOCATIONS ?? 5000), sqs: Number(process.env.BENCH_SQS_INVOCATIONS ?? 2000) }
const repetitions = Number(process.env.BENCH_REPETITIONS ?? 3)

// Fastify announces every instance it creates: this is how the bench reaches the app inside the bundle.
let app: QueueHolder | undefined
const initialization = channel('fastify.initialization')
const capture = (message: unknown): void => { app ??= (message as { fastify: QueueHolder }).fastify }
initialization.subscribe(capture)
const { handler } = await import(pathToFileURL(bundle).href) as { handler: Handler }
initialization.unsubscribe(capture)
if (app === undefined) throw new Error('the Api bundle created no Fastify instance')
const queue = app.updateQueue
const realSend = queue.send

let updateId = 100_000_000
const nextEvent = (): APIGatewayProxyEventV2 => {
  updateId++
  // 500 users, so that the FIFO queue sees many message groups, as with real traffic.
  return withUpdate(template, textUpdate(updateId, 5_000_000 + (updateId % 500), `message ${updateId}`))
}

async function phase (invocations: number): Promise<PhaseResult> {
  for (let index = 0; index < warmup; index++) await handler(nextEvent(), lambdaContext('bench-api'))
  const events = Array.from({ length: invocations }, nextEvent)
  const latencies = new Float64Array(invocations)
  let non200 = 0
  const started = performance.now()
  for (let index = 0; index < invocations; index++) {
    const before = performance.now()
    const result = await handler(events[index] as APIGatewayProxyEventV2, lambdaContext('bench-api'))
    latencies[index] = performance.now() - before
    if (result.statusCode !== 200) non200++
  }
  const elapsed = performance.now() - started
  const sorted = [...latencies].sort((a, b) => a - b)
  const at = (p: number): number => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? Number.NaN
  return { invocations, requestsPerSecond: invocations / (elapsed / 1000), p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), maxMs: at(100), non200 }
}

const runs: Record<keyof WarmResult, PhaseResult[]> = { noQueue: [], sqs: [] }
for (let repetition = 0; repetition < repetitions; repetition++) {
  queue.send = async () => {}
  runs.noQueue.push(await phase(invocationsOf.noQueue))
  queue.send = realSend
  runs.sqs.push(await phase(invocationsOf.sqs))
}
const medianOf = (list: PhaseResult[]): PhaseResult => {
  const pick = (key: keyof PhaseResult): number => [...list.map((run) => run[key])].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? Number.NaN
  return { invocations: pick('invocations'), requestsPerSecond: pick('requestsPerSecond'), p50Ms: pick('p50Ms'), p90Ms: pick('p90Ms'), p99Ms: pick('p99Ms'), maxMs: pick('maxMs'), non200: list.reduce((sum, run) => sum + run.non200, 0) }
}
const result: WarmResult = {
  noQueue: { median: medianOf(runs.noQueue), repetitions: runs.noQueue },
  sqs: { median: medianOf(runs.sqs), repetitions: runs.sqs }
}
writeSync(3, `${JSON.stringify(result)}\n`)
process.exit(0)
