import t, { type Test } from 'tap'
import { REPLIES } from '../../src/commands/register.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { createSqsQueue, type QueuedUpdate } from '../../src/plugins/queue.js'
import { APOLOGY, createDeadLetterHandler } from '../../src/worker/dead-letter.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import type { BotApiRule } from '../support/bot-api-proxy.js'
import { timedInvocations } from '../support/faults.js'
import { capturedLogLines } from '../support/log-capture.js'
import { attemptRows } from '../support/reliability.js'
import { createFifoQueue, drainQueue, sqsClient, startSqsEmulator } from '../support/sqs.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { startWorkerFixture } from '../support/worker.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

const sqs = await startSqsEmulator()
t.teardown(async () => { await sqs.stop() })
const client = sqsClient(sqs)
const user = { id: 7001, first_name: 'Dana' }

type Fixture = Awaited<ReturnType<typeof startWorkerFixture>> & { parkedUrl: string, parkedSends: QueuedUpdate[], handler: ReturnType<typeof createDeadLetterHandler> }

async function fixture (t: Test, botApiRule?: (method: string, params: Record<string, unknown>) => BotApiRule): Promise<Fixture> {
  const worker = await startWorkerFixture(t, {}, botApiRule)
  const parkedUrl = createFifoQueue(sqs, `parked-${Math.random().toString(36).slice(2)}`)
  const parked = createSqsQueue({ region: 'us-east-1', endpoint: sqs.address }, parkedUrl)
  t.teardown(() => { parked.close() })
  // Every send to the parked queue, before SQS's own 5-minute deduplication could hide a repeat.
  const parkedSends: QueuedUpdate[] = []
  const send = parked.send.bind(parked)
  parked.send = async (update) => { parkedSends.push(update); await send(update) }
  return { ...worker, parkedUrl, parkedSends, handler: createDeadLetterHandler(worker.app, parked) }
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

t.test('only a command for this bot waits for an answer: a dead plain message or another bot\'s command is parked without an apology', async (t) => {
  const { telegram, parkedSends, handler } = await fixture(t)
  const texts: Array<{ text: string } | { caption: string }> = [
    { text: 'just chatting about bets' },
    { text: '/register@another_bot demo token-for-them' },
    { text: '/register@register_test_bot demo secret-ours' },
    { caption: '/help' }
  ]
  const senders = texts.map((_text, index) => ({ id: 7201 + index, first_name: `User ${index}` }))
  const records = texts.map((text, index) => updateRecord(telegram.sendUserMessage({ from: senders[index]!, ...text }), 5))
  t.same((await handler(sqsEvent(records), lambdaContext('dead-letter', 60_000))).batchItemFailures, [])
  t.equal(parkedSends.length, 4, 'every dead update is parked, apology or not')
  t.same(senders.map((from) => telegram.botMessages(from.id).map((message) => message.text)), [[], [], [APOLOGY], [APOLOGY]])
})

t.test('one bad record never fails the others; a retry after a failed apology parks nothing twice', async (t) => {
  // Per chat, so that the order in which the records reach Telegram does not matter.
  let failures = 0
  const { telegram, parkedUrl, parkedSends, handler } = await fixture(t, (method, params) => {
    if (method !== 'sendMessage') return 'pass'
    if (params.chat_id === 7002) return { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } }
    if (params.chat_id === user.id && failures++ < 5) return { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } }
    return 'pass'
  })
  const unreadable = { ...updateRecord({ update_id: 77 }), body: 'not json' }
  const noSender = updateRecord({ update_id: 78, poll: { id: 'p', question: 'q', options: [] } })
  const blocked = updateRecord(telegram.sendUserMessage({ from: { id: 7002, first_name: 'Eve' }, text: '/help' }))
  const failing = updateRecord(telegram.sendUserMessage({ from: user, text: '/start' }))

  const result = await handler(sqsEvent([unreadable, noSender, blocked, failing]), lambdaContext('dead-letter', 60_000))
  t.same(result.batchItemFailures, [{ itemIdentifier: failing.messageId }], 'only the record whose apology could not be sent is retried')
  const retried = await handler(sqsEvent([failing]), lambdaContext('dead-letter', 60_000))
  t.same(retried.batchItemFailures, [])
  t.same(telegram.botMessages(user.id).map((message) => message.text), [APOLOGY], 'told once')
  t.equal(parkedSends.length, 4, 'each record sent to the parked queue once: the ledger remembers it across the retry')
  t.equal((await drainQueue(client, parkedUrl)).length, 4, 'each record parked once')
})

t.test('a batch with one hanging apology returns inside its timeout; everyone else is apologised to exactly once across two receives', async (t) => {
  const hangingUser = 7100
  const { telegram, parkedSends, handler, botApi } = await fixture(t, (method, params) => method === 'sendMessage' && params.chat_id === hangingUser ? 'hang' : 'pass')
  const users = [7101, 7102, hangingUser, 7103]
  const records = users.map((id, index) => updateRecord(telegram.sendUserMessage({ from: { id, first_name: `U${id}` }, text: `/register demo t${index}` }), 5))
  // A Lambda with a (short) timeout: a handler still running when it passes is killed and its result lost.
  const invocation = timedInvocations(handler, { timeoutMs: 5000, scale: 1 })
  for (const receive of [1, 2]) {
    const result = await invocation(sqsEvent(records), lambdaContext('dead-letter', 5000))
    t.same(result.batchItemFailures.map((failure) => failure.itemIdentifier), [records[2]?.messageId], `receive ${receive}: only the hanging record failed`)
  }
  t.equal(invocation.killed, 0, 'no invocation ran into the function timeout')
  t.equal(botApi?.hung('sendMessage'), 2, 'the apology was tried on each receive')
  await botApi?.untilAbandoned('sendMessage', 2)
  t.equal(botApi?.abandoned('sendMessage'), 2, 'each hanging apology was aborted at its deadline, not left running')
  for (const id of users.filter((candidate) => candidate !== hangingUser)) {
    t.same(telegram.botMessages(id).map((message) => message.text), [APOLOGY], `user ${id} apologised to once`)
  }
  t.same(parkedSends.map((update) => update.deduplicationId).sort(), records.map((record) => record.attributes.MessageDeduplicationId).sort(), 'each update parked once over both receives')
})

t.test('an answered update that was dead-lettered: parked without an apology, and its redrive repeats nothing', async (t) => {
  const { app, telegram, parkedSends, handler } = await fixture(t)
  const worker = createBatchHandler(app)
  const record = updateRecord(telegram.sendUserMessage({ from: user, text: '/register demo demo-token' }))
  t.same((await worker(sqsEvent([record]), lambdaContext('worker', 60_000))).batchItemFailures, [])

  t.same((await handler(sqsEvent([{ ...record, messageId: 'dlq-copy' }]), lambdaContext('dead-letter', 30_000))).batchItemFailures, [])
  t.equal(parkedSends.length, 1, 'parked')
  // The redrive: the parked copy comes back to the Worker as a new SQS message.
  t.same((await worker(sqsEvent([{ ...record, messageId: 'redriven' }]), lambdaContext('worker', 60_000))).batchItemFailures, [])
  t.same(telegram.botMessages(user.id).map((message) => message.text), [REPLIES.registered('demo')], 'one reply, no apology, nothing on redrive')
  t.equal(attemptRows(app, user.id).length, 1, 'the procedure ran once')
})
