import type { FastifyPluginAsync } from 'fastify'
import t from 'tap'
import { buildTestApp } from '../helper.js'
import { capturedLogLines, logLinesWithMessage } from '../support/log-capture.js'

// The shared error handler, seen through routes that a test plugin adds next to the real ones.
const failing: FastifyPluginAsync = async (fastify) => {
  fastify.get('/test/throws', async () => { throw new Error('internal detail 4b1d') })
  fastify.get('/test/throws-status', async () => { throw Object.assign(new Error('upstream detail 5c2e'), { statusCode: 502 }) })
  fastify.get('/test/throws-bogus-status', async () => { throw Object.assign(new Error('bogus detail 6d3f'), { statusCode: 299 }) })
  fastify.get('/test/unavailable', async () => { throw Object.assign(new Error('down detail 7e4a'), { statusCode: 503 }) })
  fastify.get('/test/unnamed-status', async () => { throw Object.assign(new Error('Client closed'), { statusCode: 499 }) })
  fastify.get('/test/rejects', async () => { throw Object.assign(new Error('Conflict here'), { statusCode: 409, code: 'TEST_CONFLICT' }) })
}

t.test('5xx answers carry their status name only, and are logged', async (t) => {
  const app = await buildTestApp(t, undefined, [failing])
  const cases: Array<[string, number, string]> = [
    ['/test/throws', 500, 'Internal Server Error'],
    ['/test/throws-status', 502, 'Bad Gateway'],
    ['/test/throws-bogus-status', 500, 'Internal Server Error'],
    ['/test/unavailable', 503, 'Service Unavailable']
  ]
  for (const [url, statusCode, error] of cases) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, statusCode, url)
    t.same(response.json(), { error }, `${url}: no details`)
    t.equal(response.headers['retry-after'], statusCode === 503 ? '5' : undefined, `${url}: Retry-After only on 503`)
  }
  const logged = logLinesWithMessage('request failed')
  t.equal(logged.length, cases.length, 'each failure logged once')
  t.ok(capturedLogLines.some((line) => line.includes('internal detail 4b1d')), 'the details go to the log instead')
})

t.test('4xx answers carry the reason', async (t) => {
  const app = await buildTestApp(t, undefined, [failing])
  const response = await app.inject({ method: 'GET', url: '/test/rejects' })
  t.equal(response.statusCode, 409)
  t.same(response.json(), { error: 'Conflict', message: 'Conflict here' })
  t.match(logLinesWithMessage('request rejected').at(-1), { statusCode: 409, code: 'TEST_CONFLICT' })
  const unnamed = await app.inject({ method: 'GET', url: '/test/unnamed-status' })
  t.equal(unnamed.statusCode, 499)
  t.same(unnamed.json(), { error: 'Error', message: 'Client closed' }, 'a status without a standard name')
})

t.test('unknown routes → 404 without echoing the path', async (t) => {
  const app = await buildTestApp(t)
  const response = await app.inject({ method: 'GET', url: '/bot123456:secret-looking-path' })
  t.equal(response.statusCode, 404)
  t.same(response.json(), { error: 'Not Found', message: 'Route GET not found' })
  const webhookGet = await app.inject({ method: 'GET', url: '/telegram/webhook' })
  t.equal(webhookGet.statusCode, 404, 'the webhook is POST only')
})
