import t from 'tap'
import { deriveWebhookSecret } from '../../src/config.js'
import { buildTestApp, testConfig, TEST_BOT_TOKEN } from '../helper.js'
import { createFifoQueue, drainQueue, sqsClient, startSqsEmulator } from '../support/sqs.js'

const secret = deriveWebhookSecret(TEST_BOT_TOKEN)
const sqs = await startSqsEmulator()
t.teardown(async () => { await sqs.stop() })
const client = sqsClient(sqs)

const privateMessage = {
  update_id: 901,
  message: { message_id: 7, date: 1, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'A' }, text: 'hello' }
}

t.test('a valid update is queued once with its group id, dedup id and body', async (t) => {
  const queueUrl = createFifoQueue(sqs, 'valid')
  const app = await buildTestApp(t, testConfig({ QUEUE_URL: queueUrl, SQS_ENDPOINT: sqs.address }))
  const response = await app.inject({ method: 'POST', url: '/telegram/webhook', headers: { 'x-telegram-bot-api-secret-token': secret }, payload: privateMessage })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { ok: true })
  const messages = await drainQueue(client, queueUrl)
  t.equal(messages.length, 1)
  t.equal(messages[0]?.Attributes?.MessageGroupId, 'user-42')
  t.equal(messages[0]?.Attributes?.MessageDeduplicationId, '901')
  t.same(JSON.parse(messages[0]?.Body ?? ''), privateMessage)
})

t.test('a wrong secret gets 401 and queues nothing', async (t) => {
  const queueUrl = createFifoQueue(sqs, 'wrong-secret')
  const app = await buildTestApp(t, testConfig({ QUEUE_URL: queueUrl, SQS_ENDPOINT: sqs.address }))
  const response = await app.inject({ method: 'POST', url: '/telegram/webhook', headers: { 'x-telegram-bot-api-secret-token': 'nope' }, payload: privateMessage })
  t.equal(response.statusCode, 401)
  t.same(await drainQueue(client, queueUrl), [])
})
