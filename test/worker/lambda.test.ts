import t from 'tap'
import { REPLIES } from '../../src/commands/register.js'
import { APOLOGY } from '../../src/worker/dead-letter.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { startTelegramEmulator } from '../../src/local/telegram-emulator.js'
import { startLedgerDynamoDb } from '../support/dynamodb.js'
import { createFifoQueue, startSqsEmulator } from '../support/sqs.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

// The Lambda entries read their configuration from the environment at import, as in AWS.
const telegram = await startTelegramEmulator({ botUsername: 'register_test_bot' })
const sqs = await startSqsEmulator()
t.teardown(async () => { await telegram.close(); await sqs.stop() })
const dynamo = await startLedgerDynamoDb(t)
Object.assign(process.env, {
  ...dynamo.env,
  TELEGRAM_BOT_TOKEN: telegram.token,
  TELEGRAM_API_ROOT: telegram.url,
  TELEGRAM_BOT_USERNAME: 'register_test_bot',
  QUEUE_URL: createFifoQueue(sqs, 'entry-updates'),
  PARKED_QUEUE_URL: createFifoQueue(sqs, 'entry-parked'),
  SQS_ENDPOINT: sqs.address,
  DATABASE_CONNECTION_STRING: 'sqlite::memory:',
  LOG_LEVEL: 'silent'
})

t.test('the Worker entry processes an SQS batch with the app it built at import', async (t) => {
  const { handler } = await import('../../src/worker/lambda.js')
  const update = telegram.sendUserMessage({ from: { id: 8001, first_name: 'W' }, text: '/register demo demo-token' })
  t.same(await handler(sqsEvent([updateRecord(update)]), lambdaContext('worker', 60_000)), { batchItemFailures: [] })
  t.same(telegram.botMessages(8001).map((message) => message.text), [REPLIES.registered('demo')])
})

t.test('the DeadLetter entry apologises', async (t) => {
  const { handler } = await import('../../src/worker/dead-letter-lambda.js')
  const update = telegram.sendUserMessage({ from: { id: 8002, first_name: 'D' }, text: '/register demo demo-token' })
  t.same(await handler(sqsEvent([updateRecord(update, 5)]), lambdaContext('dead-letter', 60_000)), { batchItemFailures: [] })
  t.same(telegram.botMessages(8002).map((message) => message.text), [APOLOGY])
})
