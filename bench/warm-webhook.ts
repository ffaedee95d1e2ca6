import type { Bundles } from './bundle.js'
import { FIXTURE_SECRET, WEBHOOK_TEMPLATE } from './events.js'
import { runReportingChild } from './report-child.js'
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
  const result = await runReportingChild<WarmResult>(bundles.runners.warm, bundles.entries.api.file, {
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
  }, 'warm webhook run')
  return { ...result, warmupInvocations: options.warmup, logLevel: 'info (one line per update, to /dev/null)' }
}
