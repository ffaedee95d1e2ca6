import t from 'tap'
import { createBotApi } from '../../scripts/lib/bot-api.js'
import { answers, startFakeBotApi, startFakeServer, TOKEN } from './fake-http.js'

t.test('posts the params as JSON to /bot<token>/<method> and returns the result', async (t) => {
  const server = await startFakeBotApi({ getMe: answers({ id: 1, username: 'demo_bot' }) })
  t.teardown(server.close)
  const api = createBotApi({ token: TOKEN, apiRoot: server.url })
  t.same(await api('getMe', { probe: 1 }), { id: 1, username: 'demo_bot' })
  t.equal(server.requests[0]?.method, 'POST')
  t.same(JSON.parse(server.requests[0]?.body ?? ''), { probe: 1 })
})

t.test('a Bot API error names the method and description, never the token or a secret', async (t) => {
  const server = await startFakeServer(() => ({ status: 400, body: { ok: false, error_code: 400, description: `Bad Request: secret ${'s3cr3t-value'} and ${TOKEN}` } }))
  t.teardown(server.close)
  const api = createBotApi({ token: TOKEN, apiRoot: server.url, secrets: ['s3cr3t-value'] })
  const error = await api('setWebhook').catch((caught: unknown) => caught as Error)
  t.match((error as Error).message, /^setWebhook: 400 Bad Request/)
  t.notMatch((error as Error).message, TOKEN)
  t.notMatch((error as Error).message, 's3cr3t-value')
})

t.test('a network failure does not print the URL (it holds the token)', async (t) => {
  const server = await startFakeServer(() => ({}))
  await server.close()
  const api = createBotApi({ token: TOKEN, apiRoot: server.url })
  const error = await api('getWebhookInfo').catch((caught: unknown) => caught as Error)
  t.match((error as Error).message, /^getWebhookInfo: request failed/)
  t.notMatch((error as Error).message, TOKEN)
})

t.test('a non-JSON answer is an error with the HTTP status', async (t) => {
  const api = createBotApi({ token: TOKEN, apiRoot: 'http://unused', fetch: async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }) })
  await t.rejects(api('getMe'), { message: 'getMe: 502 Bad Gateway' })
})
