/**
 * What the update ledger costs per update: DynamoDB requests (counted where dynalite serves them) and
 * the added latency of one record through the Worker's batch handler, ledger on against ledger off in
 * the same process and run, the two interleaved. Only loopback traffic: dynalite's latency is not
 * DynamoDB's (docs/benchmarks.md#update-ledger says what to expect there).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { startEmbeddedDynamoDb } from '../src/local/embedded-dynamodb.js'
import { lambdaContext, toSqsRecord } from '../src/local/queue-poller.js'
import { startTelegramEmulator } from '../src/local/telegram-emulator.js'
import updateLedger, { type UpdateLedger } from '../src/plugins/update-ledger.js'
import { workerPlugins } from '../src/worker/app.js'
import { createBatchHandler } from '../src/worker/process-batch.js'
import { round, summarize, type Summary } from './stats.js'

export interface LedgerOptions { warmup: number, samples: number }

interface Variant { latencyMs: Summary, dynamoRequestsPerUpdate: number }

export interface LedgerResult {
  samples: number
  command: { on: Variant, off: Variant, addedMedianMs: number, addedP90Ms: number }
  nonCommand: { on: Variant, off: Variant, addedMedianMs: number }
}

/** The baseline: the same worker with a ledger that remembers nothing and calls nothing. */
const ledgerOff = fp(async (fastify) => {
  const passThrough: UpdateLedger = {
    once: async (_updateId, _step, work) => ({ result: await work(), remembered: false }),
    completed: async () => false
  }
  fastify.decorate('updateLedger', passThrough)
}, { name: 'update-ledger' })

const rounded = (summary: Summary): Summary => Object.fromEntries(Object.entries(summary).map(([key, value]) => [key, round(value, 3)])) as unknown as Summary

export async function measureLedger (options: LedgerOptions): Promise<LedgerResult> {
  const telegram = await startTelegramEmulator({ botUsername: 'bench_ledger_bot' })
  const dynamo = await startEmbeddedDynamoDb({ region: 'us-east-1' })
  const env = {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    TELEGRAM_BOT_USERNAME: telegram.botUsername,
    QUEUE_URL: 'http://127.0.0.1:9/000000000000/updates.fifo',
    DATABASE_CONNECTION_STRING: 'sqlite::memory:',
    LEDGER_TABLE: dynamo.ledgerTable,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    LOG_LEVEL: 'silent'
  }
  const appWith = async (plugins: FastifyPluginAsync[]): Promise<FastifyInstance> => {
    // The metrics' EMF lines are written whatever LOG_LEVEL says: discarded here, as the log is.
    const app = buildApp(loadConfig(env, {}), { plugins, logDestination: { write: () => {} } })
    await app.ready()
    return app
  }
  const on = await appWith(workerPlugins)
  // The Worker's plugins with only the ledger swapped (the batch handler flushes the metrics plugin's figures).
  const off = await appWith(workerPlugins.map((plugin) => plugin === updateLedger ? ledgerOff : plugin))
  try {
    const handlers = { on: createBatchHandler(on), off: createBatchHandler(off) }
    let nextUser = 1
    /** One record through the handler: its time (ms) and the DynamoDB requests it made. */
    const once = async (variant: 'on' | 'off', text: string, chat?: { id: number, type: 'group', title: string }): Promise<[number, number]> => {
      const id = nextUser++
      const update = telegram.sendUserMessage({ from: { id, first_name: 'Bench' }, text, ...(chat === undefined ? {} : { chat }) })
      const record = toSqsRecord({ MessageId: `m${id}`, ReceiptHandle: `r${id}`, Body: JSON.stringify(update), Attributes: { MessageGroupId: `user-${id}`, MessageDeduplicationId: String(update.update_id) } }, 'arn:aws:sqs:us-east-1:000000000000:updates.fifo', 'us-east-1')
      const requestsBefore = dynamo.requests()
      const started = performance.now()
      const result = await handlers[variant]({ Records: [record] }, lambdaContext('worker', 60_000))
      const elapsed = performance.now() - started
      if (result.batchItemFailures.length > 0) throw new Error(`bench: a ${variant} record failed`)
      return [elapsed, dynamo.requests() - requestsBefore]
    }
    const group = { id: -4242, type: 'group' as const, title: 'Bench' }
    const kinds = {
      command: () => '/register demo demo-token',
      nonCommand: () => 'just talking in the group'
    }
    const result: Record<'command' | 'nonCommand', { on: number[][], off: number[][] }> = { command: { on: [], off: [] }, nonCommand: { on: [], off: [] } }
    for (let round = 0; round < options.warmup + options.samples; round++) {
      for (const kind of ['command', 'nonCommand'] as const) {
        // Alternate which variant goes first, so neither always runs on a warmer process.
        const order: Array<'on' | 'off'> = round % 2 === 0 ? ['on', 'off'] : ['off', 'on']
        for (const variant of order) {
          const sample = await once(variant, kinds[kind](), kind === 'nonCommand' ? group : undefined)
          if (round >= options.warmup) result[kind][variant].push(sample)
        }
      }
    }
    const variantOf = (samples: number[][]): Variant => ({
      latencyMs: rounded(summarize(samples.map(([ms]) => ms as number))),
      dynamoRequestsPerUpdate: samples.reduce((sum, [, requests]) => sum + (requests as number), 0) / samples.length
    })
    const command = { on: variantOf(result.command.on), off: variantOf(result.command.off) }
    const nonCommand = { on: variantOf(result.nonCommand.on), off: variantOf(result.nonCommand.off) }
    return {
      samples: options.samples,
      command: { ...command, addedMedianMs: round(command.on.latencyMs.median - command.off.latencyMs.median, 3), addedP90Ms: round(command.on.latencyMs.p90 - command.off.latencyMs.p90, 3) },
      nonCommand: { ...nonCommand, addedMedianMs: round(nonCommand.on.latencyMs.median - nonCommand.off.latencyMs.median, 3) }
    }
  } finally {
    await on.close()
    await off.close()
    await dynamo.stop()
    await telegram.close()
  }
}

export function renderLedger (ledger: LedgerResult): string {
  const row = (label: string, variant: Variant): string =>
    `  ${label.padEnd(24)} median ${variant.latencyMs.median.toFixed(2).padStart(7)} ms   p90 ${variant.latencyMs.p90.toFixed(2).padStart(7)} ms   DynamoDB requests ${variant.dynamoRequestsPerUpdate.toFixed(2)}`
  return [
    `Update ledger (per record through the Worker's batch handler, ${ledger.samples} samples per row, ledger on/off interleaved)`,
    row('command, ledger on', ledger.command.on),
    row('command, ledger off', ledger.command.off),
    row('non-command, ledger on', ledger.nonCommand.on),
    row('non-command, ledger off', ledger.nonCommand.off),
    `  added by the ledger: command ${ledger.command.addedMedianMs} ms median (${ledger.command.addedP90Ms} ms p90), non-command ${ledger.nonCommand.addedMedianMs} ms median`
  ].join('\n')
}
