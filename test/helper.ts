import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import type { Test } from 'tap'
import { loadConfig, type Config } from '../src/config.js'
import { buildWebhookApp } from '../src/webhook-app.js'
import { captureLogs } from './support/log-capture.js'

/** A syntactically valid bot token used across the tests (never a real one). */
export const TEST_BOT_TOKEN = '123456789:TEST-token_0123456789abcdefghijklmnop'

/** The configuration tests start from: every value explicit, nothing read from the machine or SST. */
export function testConfig (env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    TELEGRAM_BOT_USERNAME: 'register_test_bot',
    QUEUE_URL: 'http://127.0.0.1:9/000000000000/updates.fifo',
    SQS_ENDPOINT: 'http://127.0.0.1:9',
    DATABASE_CONNECTION_STRING: 'sqlite::memory:',
    LOG_LEVEL: 'debug',
    ...env
  }, {})
}

/**
 * Builds the app as the local runtime does (the webhook's queue and route, then the given plugins),
 * with log lines captured, and closes it when the test ends. The one way tests obtain an app.
 */
export async function buildTestApp (t: Test, config: Config = testConfig(), plugins: FastifyPluginAsync[] = []): Promise<FastifyInstance> {
  const app = buildWebhookApp(config, { plugins, logDestination: captureLogs() })
  t.teardown(async () => { await app.close() })
  await app.ready()
  return app
}
