import t from 'tap'
import { buildWorkerApp } from '../../src/worker/app.js'
import { testConfig } from '../helper.js'
import { captureLogs } from '../support/log-capture.js'

t.test('the worker app holds no queue sender and serves no webhook: it starts without QUEUE_URL or a webhook secret', async (t) => {
  // The ledger is only configured here: it makes no DynamoDB call until a command arrives.
  const app = buildWorkerApp(testConfig({ QUEUE_URL: undefined, TELEGRAM_WEBHOOK_SECRET: undefined, LEDGER_TABLE: 'update-ledger' }), { logDestination: captureLogs() })
  t.teardown(async () => { await app.close() })
  await app.ready()
  t.notOk(app.hasDecorator('updateQueue'), 'no update queue')
  t.ok(app.hasDecorator('bot'), 'the bot is there')
  t.equal((await app.inject({ method: 'POST', url: '/telegram/webhook', payload: { update_id: 1 } })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
})
