import t, { type Test } from 'tap'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { createSqsQueue } from '../../src/plugins/queue.js'
import { APOLOGY, createDeadLetterHandler } from '../../src/worker/dead-letter.js'
import { capturedLogLines } from '../support/log-capture.js'
import { createFifoQueue, drainQueue, sqsClient, startSqsEmulator } from '../support/sqs.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { startWorkerFixture } from '../support/worker.js'

const sqs = await startSqsEmulator()
t.teardown(async () => { await sqs.stop() })
const client = sqsClient(sqs)
const user = { id: 7001, first_name: 'Dana' }

async function fixture (t: Test): Promise<Awaited<ReturnType<typeof startWorkerFixture>> & { parkedUrl: string, handler: ReturnType<typeof createDeadLetterHandler> }> {
  const worker = await startWorkerFixture(t)
  const parkedUrl = createFifoQueue(sqs, `parked-${Math.random().toString(36).slice(2)}`)
  const parked = createSqsQueue({ region: 'us-east-1', endpoint: sqs.address }, parkedUrl)
  t.teardown(() => { parked.close() })
  return { ...worker, parkedUrl, handler: createDeadLetterHandler(worker.app, parked) }
}

t.test('a dead update is parked with its ids and the user is told once', async (t) => {
  const { telegram, parkedUrl, handler } = await fixture(t)
  const update = telegram.sendUserMessage({ from: user, text: '/register demo secret-dead-token' })
  const record = updateRecord(update, 5)
  const result = await handler(sqsEvent([record]), lambdaContext('dead-letter', 60_000))
  t.same(result.batchItemFailures, [])
  t.same(telegram.botMessages(user.id).map((message) => message.text), [APOLOGY])
  const parkedMessages = await drainQueue(client, parkedUrl)
  t.equal(parkedMessages.length, 1)
  t.equal(parkedMessages[0]?.Body, record.body, 'parked byte for byte, ready for a redrive')
  t.equal(parkedMessages[0]?.Attributes?.MessageGroupId, `user-${user.id}`)
  t.equal(parkedMessages[0]?.Attributes?.MessageDeduplicationId, String(update.update_id))
  const logged = capturedLogLines.find((line) => line.includes('parked for redrive') && line.includes(`"updateId":${update.update_id}`))
  t.match(logged, /"receiveCount":5/)
  t.notOk(capturedLogLines.some((line) => line.includes('secret-dead-token')), 'no message text in the logs')
})

t.test('one bad record never fails the others; a retry after a failed apology parks nothing twice', async (t) => {
  const { telegram, parkedUrl, handler } = await fixture(t)
  const unreadable = { ...updateRecord({ update_id: 77 }), body: 'not json' }
  const noSender = updateRecord({ update_id: 78, poll: { id: 'p', question: 'q', options: [] } })
  const blocked = updateRecord(telegram.sendUserMessage({ from: { id: 7002, first_name: 'Eve' }, text: 'hi' }))
  const failing = updateRecord(telegram.sendUserMessage({ from: user, text: 'hello' }))
  telegram.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' })
  telegram.failNext('sendMessage', { error_code: 502 }, 5)

  const result = await handler(sqsEvent([unreadable, noSender, blocked, failing]), lambdaContext('dead-letter', 60_000))
  t.same(result.batchItemFailures, [{ itemIdentifier: failing.messageId }], 'only the record whose apology could not be sent is retried')
  const retried = await handler(sqsEvent([failing]), lambdaContext('dead-letter', 60_000))
  t.same(retried.batchItemFailures, [])
  t.same(telegram.botMessages(user.id).map((message) => message.text), [APOLOGY], 'told once')
  t.equal((await drainQueue(client, parkedUrl)).length, 4, 'each record parked once, deduplicated across the retry')
})
