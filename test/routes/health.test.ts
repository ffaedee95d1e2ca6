import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import t, { type Test } from 'tap'
import packageJson from '../../package.json' with { type: 'json' }
import { HEALTH_CHECK_TIMEOUT_MS } from '../../src/routes/health.js'
import { buildTestApp, testConfig } from '../helper.js'
import { logLinesWithMessage } from '../support/log-capture.js'
import { createFifoQueue, startSqsEmulator } from '../support/sqs.js'
import { closedPort } from '../support/wait.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

const sqs = await startSqsEmulator()
t.teardown(async () => { await sqs.stop() })

async function appWithQueueUp (t: Test, plugins: FastifyPluginAsync[] = []): Promise<FastifyInstance> {
  const queueUrl = createFifoQueue(sqs, `health-${Math.random().toString(36).slice(2)}`)
  return await buildTestApp(t, testConfig({ QUEUE_URL: queueUrl, SQS_ENDPOINT: sqs.address }), plugins)
}

t.test('GET /health is liveness only: status, version and uptime', async (t) => {
  const app = await buildTestApp(t) // the helper's queue URL points at a port nobody listens on
  for (const url of ['/health', '/health?deep=false']) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 200, url)
    const body = response.json<Record<string, unknown>>()
    t.same(Object.keys(body).sort(), ['status', 'uptime', 'version'], `${url}: no checks without deep=true`)
    t.equal(body.status, 'ok')
    t.equal(body.version, packageJson.version)
    t.type(body.uptime, 'number')
    t.ok(Number.isInteger(body.uptime) && (body.uptime as number) >= 0, 'uptime in whole seconds')
  }
})

t.test('deep=true with the queue up → 200 and checks.queue ok', async (t) => {
  const app = await appWithQueueUp(t)
  const response = await app.inject({ method: 'GET', url: '/health?deep=true' })
  t.equal(response.statusCode, 200)
  t.match(response.json(), { status: 'ok', version: packageJson.version, uptime: Number, checks: { queue: 'ok' } })
})

t.test('deep=true with the queue down → 503 and checks.queue failed', async (t) => {
  const port = await closedPort()
  const app = await buildTestApp(t, testConfig({ QUEUE_URL: `http://127.0.0.1:${port}/000000000000/down.fifo`, SQS_ENDPOINT: `http://127.0.0.1:${port}` }))
  const response = await app.inject({ method: 'GET', url: '/health?deep=true' })
  t.equal(response.statusCode, 503)
  t.same(response.json(), { status: 'degraded', version: packageJson.version, uptime: response.json<{ uptime: number }>().uptime, checks: { queue: 'failed' } })
  t.notMatch(response.body, /ECONNREFUSED|127\.0\.0\.1/, 'the answer holds no error details')
  t.ok(logLinesWithMessage('health check failed').some((line) => line.check === 'queue'), 'the failure is logged with its check')
})

t.test('a hung check → timeout within the time limit, and the other checks still report', async (t) => {
  const hung: FastifyPluginAsync = async (fastify) => {
    fastify.healthChecks.set('hung', async () => await new Promise<void>(() => {}))
    fastify.healthChecks.set('rejecting', async () => { throw new Error('database unreachable') })
    fastify.healthChecks.set('fine', async () => {})
  }
  const app = await appWithQueueUp(t, [hung])
  const started = performance.now()
  const response = await app.inject({ method: 'GET', url: '/health?deep=true' })
  const elapsed = performance.now() - started
  t.equal(response.statusCode, 503)
  t.match(response.json(), { status: 'degraded', checks: { queue: 'ok', hung: 'timeout', rejecting: 'failed', fine: 'ok' } })
  t.ok(elapsed >= HEALTH_CHECK_TIMEOUT_MS - 50, `waited for the timeout (${Math.round(elapsed)} ms)`)
  t.ok(elapsed < HEALTH_CHECK_TIMEOUT_MS + 10_000, `answered at it, not after the hung check (${Math.round(elapsed)} ms)`)
})

t.test('a check that honours its abort signal is reported as timeout too', async (t) => {
  const abortable: FastifyPluginAsync = async (fastify) => {
    fastify.healthChecks.set('abortable', async (signal) => await new Promise<void>((_resolve, reject) => {
      signal.addEventListener('abort', () => { reject(new Error('aborted')) })
    }))
  }
  const app = await appWithQueueUp(t, [abortable])
  const response = await app.inject({ method: 'GET', url: '/health?deep=true' })
  t.equal(response.statusCode, 503)
  t.match(response.json(), { checks: { queue: 'ok', abortable: 'timeout' } })
})

t.test('a malformed deep parameter → 400', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ['/health?deep=yes', '/health?deep=1', '/health?deep=TRUE']) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 400, url)
    t.equal(response.json<{ error: string }>().error, 'Bad Request')
    t.match(response.json<{ message: string }>().message, /deep/, 'the reason names the parameter')
  }
})

t.test('other methods on /health are not routes', async (t) => {
  const app = await buildTestApp(t)
  const response = await app.inject({ method: 'POST', url: '/health' })
  t.equal(response.statusCode, 404)
  t.same(response.json(), { error: 'Not Found', message: 'Route POST not found' })
})
