import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { ROOT, type Bundles } from './bundle.js'
import { FIXTURE_SECRET, WEBHOOK_TEMPLATE } from './events.js'
import type { SqsProcess } from './sqs-process.js'
import type { WarmResult } from './warm-child.js'

export interface WarmWebhookResult extends WarmResult {
  warmupInvocations: number
  logLevel: string
}

/**
 * Warm throughput and latency of the Api bundle's handler, in a child process of its own (stdout, where
 * the app logs one line per update, goes to /dev/null), one invocation at a time as Lambda does.
 */
export async function measureWarmWebhook (bundles: Bundles, sqs: SqsProcess, options: { invocations: number, sqsInvocations: number, repetitions: number, warmup: number }): Promise<WarmWebhookResult> {
  const child = spawn(process.execPath, [bundles.runners.warm, bundles.entries.api.file], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCHMARK',
      AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
      AWS_SESSION_TOKEN: 'bench-session-token',
      QUEUE_URL: sqs.queueUrl,
      SQS_ENDPOINT: sqs.endpoint,
      TELEGRAM_BOT_TOKEN: '123456789:BENCH-token_0123456789abcdefghijkl',
      TELEGRAM_WEBHOOK_SECRET: FIXTURE_SECRET,
      LOG_LEVEL: 'info',
      BENCH_EVENT: JSON.stringify(WEBHOOK_TEMPLATE),
      BENCH_WARMUP: String(options.warmup),
      BENCH_INVOCATIONS: String(options.invocations),
      BENCH_SQS_INVOCATIONS: String(options.sqsInvocations),
      BENCH_REPETITIONS: String(options.repetitions)
    },
    stdio: ['ignore', 'ignore', 'pipe', 'pipe']
  })
  let report = ''
  let errors = ''
  child.stdio[3]?.on('data', (chunk: Buffer) => { report += chunk.toString('utf8') })
  child.stderr?.on('data', (chunk: Buffer) => { errors += chunk.toString('utf8') })
  const [code] = await once(child, 'exit') as [number | null]
  if (code !== 0 || report === '') throw new Error(`warm webhook run failed (exit ${String(code)}): ${errors.trim().slice(-600)}`)
  return { ...JSON.parse(report) as WarmResult, warmupInvocations: options.warmup, logLevel: 'info (one line per update, to /dev/null)' }
}
