import t from 'tap'
import { buildWebhookApp } from '../src/webhook-app.js'
import { testConfig } from './helper.js'
import { captureLogs } from './support/log-capture.js'

t.test('the webhook app holds the queue and the route, and neither the bot nor a database', async (t) => {
  const app = buildWebhookApp(testConfig({ TELEGRAM_BOT_TOKEN: undefined, TELEGRAM_WEBHOOK_SECRET: 'only_the-webhook-secret' }), { logDestination: captureLogs() })
  t.teardown(async () => { await app.close() })
  await app.ready()
  t.ok(app.hasDecorator('updateQueue'))
  t.notOk(app.hasDecorator('bot'))
  const unsigned = await app.inject({ method: 'POST', url: '/telegram/webhook', payload: { update_id: 1 } })
  t.equal(unsigned.statusCode, 401, 'the route is served, and checks the secret')
})
