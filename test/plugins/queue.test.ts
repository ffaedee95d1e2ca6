import t from 'tap'
import { createSqsQueue, QueueUnavailableError } from '../../src/plugins/queue.js'
import { buildTestApp, testConfig } from '../helper.js'
import { createFifoQueue, drainQueue, sqsClient, startSqsEmulator } from '../support/sqs.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

const sqs = await startSqsEmulator()
t.teardown(async () => { await sqs.stop() })
const client = sqsClient(sqs)

const update = { body: '{"update_id":1}', groupId: 'user-1', deduplicationId: '1', updateType: 'message' }

t.test('with an endpoint and no AWS credentials, an emulator gets placeholder credentials', async (t) => {
  const previous = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY }
  delete process.env.AWS_ACCESS_KEY_ID
  delete process.env.AWS_SECRET_ACCESS_KEY
  t.teardown(() => {
    if (previous.id !== undefined) process.env.AWS_ACCESS_KEY_ID = previous.id
    if (previous.secret !== undefined) process.env.AWS_SECRET_ACCESS_KEY = previous.secret
  })
  const queueUrl = createFifoQueue(sqs, 'placeholder-credentials')
  const queue = createSqsQueue({ region: 'us-east-1', endpoint: sqs.address }, queueUrl)
  t.teardown(() => { queue.close() })
  await queue.send(update)
  await queue.check(AbortSignal.timeout(1000))
  t.equal((await drainQueue(client, queueUrl)).length, 1)
})

t.test('with an endpoint and AWS credentials in the environment, the default chain supplies them', async (t) => {
  const previous = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY }
  process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMENVIRONMENT1'
  process.env.AWS_SECRET_ACCESS_KEY = 'from-the-environment'
  t.teardown(() => {
    for (const [name, value] of [['AWS_ACCESS_KEY_ID', previous.id], ['AWS_SECRET_ACCESS_KEY', previous.secret]] as const) {
      if (value === undefined) Reflect.deleteProperty(process.env, name)
      else process.env[name] = value
    }
  })
  const queueUrl = createFifoQueue(sqs, 'environment-credentials')
  const queue = createSqsQueue({ region: 'us-east-1', endpoint: sqs.address }, queueUrl)
  t.teardown(() => { queue.close() })
  await queue.send(update)
  t.equal((await drainQueue(client, queueUrl)).length, 1)
})

t.test('without an endpoint (real AWS) the default provider chain is left in charge', async (t) => {
  // Nothing is sent: the point is that building the client needs no endpoint and no credentials.
  const queue = createSqsQueue({ region: 'eu-central-1' }, 'https://sqs.eu-central-1.amazonaws.com/123456789012/updates.fifo')
  t.type(queue.send, 'function')
  queue.close()
})

t.test('a failed send becomes QueueUnavailableError (503) with the cause kept', async (t) => {
  const queue = createSqsQueue({ region: 'us-east-1', endpoint: sqs.address }, `${sqs.address}/000000000000/does-not-exist.fifo`)
  t.teardown(() => { queue.close() })
  const error = await queue.send(update).then(() => undefined, (rejection: unknown) => rejection)
  t.type(error, QueueUnavailableError)
  t.equal((error as QueueUnavailableError).statusCode, 503)
  t.ok((error as Error).cause, 'the SDK error is the cause')
})

t.test('the plugin requires QUEUE_URL', async (t) => {
  await t.rejects(buildTestApp(t, testConfig({ QUEUE_URL: undefined })), { name: 'ConfigError', message: 'QUEUE_URL is required' })
})

t.test('the plugin registers the queue health check and closes the client with the app', async (t) => {
  const queueUrl = createFifoQueue(sqs, 'plugin')
  const app = await buildTestApp(t, testConfig({ QUEUE_URL: queueUrl, SQS_ENDPOINT: sqs.address }))
  t.ok(app.healthChecks.has('queue'))
  await app.healthChecks.get('queue')?.(AbortSignal.timeout(1000))
  await app.updateQueue.send(update)
  t.equal((await drainQueue(client, queueUrl)).length, 1)
})
