import t, { type Test } from 'tap'
import { REPLIES } from '../../src/commands/register.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { LEDGER_COMPLETION_UNSAVED_METRIC } from '../../src/plugins/metrics.js'
import { createSqsQueue, type QueuedUpdate } from '../../src/plugins/queue.js'
import type { LedgerStep } from '../../src/plugins/update-ledger.js'
import { APOLOGY, createDeadLetterHandler } from '../../src/worker/dead-letter.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import type { BotApiRule } from '../support/bot-api-proxy.js'
import { startLedgerDynamoDb } from '../support/dynamodb.js'
import { onStoreAnswered, startTcpProxy, type TcpProxy } from '../support/faults.js'
import { capturedLogLines } from '../support/log-capture.js'
import { attemptRows, sleep } from '../support/reliability.js'
import { createFifoQueue, startSqsEmulator } from '../support/sqs.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { startWorkerFixture, type WorkerFixture } from '../support/worker.js'

/**
 * The update ledger (dynalite, through a TCP proxy that refuses connections while the ledger is "down")
 * failing right after a side effect: at a defined point of the protocol (the store answered, Telegram
 * answered, SQS took the parked copy), the ledger's connection is refused for 1.5 s. The side effect
 * happens once over every receive, because saving its completion is retried.
 */

const OUTAGE_MS = 1500
const sqs = await startSqsEmulator()
t.teardown(async () => { await sqs.stop() })

interface Fixture extends WorkerFixture {
  /** The ledger's connection: `refuse` is the ledger down. */
  ledger: TcpProxy
  /** How often LedgerCompletionUnsaved was counted. */
  unsaved: () => number
  /** The DLQ's handler, parking into a fresh FIFO queue; every send to it is recorded. */
  deadLetter: ReturnType<typeof createDeadLetterHandler>
  parkedSends: QueuedUpdate[]
  /** Runs `hook` after each successful send to the parked queue, before the handler sees it succeed. */
  afterParking: (hook: () => void) => void
}

async function fixture (t: Test, botApiRule?: (method: string, params: Record<string, unknown>) => BotApiRule): Promise<Fixture> {
  const dynamo = await startLedgerDynamoDb(t)
  const ledger = await startTcpProxy(dynamo.endpoint)
  t.teardown(ledger.close)
  const worker = await startWorkerFixture(t, { LEDGER_TABLE: dynamo.ledgerTable, DYNAMODB_ENDPOINT: ledger.url }, botApiRule)
  let unsaved = 0
  const count = worker.app.botMetrics.ledgerCompletionUnsaved
  worker.app.botMetrics.ledgerCompletionUnsaved = () => { unsaved++; count() }

  const parked = createSqsQueue({ region: 'us-east-1', endpoint: sqs.address }, createFifoQueue(sqs, `parked-${Math.random().toString(36).slice(2)}`))
  t.teardown(() => { parked.close() })
  const parkedSends: QueuedUpdate[] = []
  let afterParking = (): void => {}
  const send = parked.send.bind(parked)
  parked.send = async (update, signal) => {
    parkedSends.push(update)
    await send(update, signal)
    afterParking()
  }
  return {
    ...worker,
    ledger,
    unsaved: () => unsaved,
    deadLetter: createDeadLetterHandler(worker.app, parked),
    parkedSends,
    afterParking: (hook) => { afterParking = hook }
  }
}

/** The ledger goes down now, the first time this is called, and comes back after OUTAGE_MS. */
function outageOnce (ledger: TcpProxy): () => void {
  let done = false
  return () => {
    if (done) return
    done = true
    ledger.setMode('refuse')
    setTimeout(() => { ledger.setMode('up') }, OUTAGE_MS)
  }
}

const workerContext = (): ReturnType<typeof lambdaContext> => lambdaContext('worker', 60_000)
const deadLetterContext = (): ReturnType<typeof lambdaContext> => lambdaContext('dead-letter', 30_000)

async function assertRecorded (t: Test, { app, ledger, unsaved }: Fixture, updateId: number, step: LedgerStep): Promise<void> {
  t.ok(ledger.connections.refuse > 0, 'the ledger was down when the completion was first saved')
  t.equal(await app.updateLedger.completed(updateId, step), true, `the ${step} is recorded as completed in the ledger`)
  t.equal(unsaved(), 0, `${LEDGER_COMPLETION_UNSAVED_METRIC} not counted`)
}

t.test('the ledger down for 1.5 s right after the procedure answered: one procedure call, one reply over all receives', async (t) => {
  const f = await fixture(t)
  const user = { id: 8101, first_name: 'Pia' }
  onStoreAnswered(f.app, outageOnce(f.ledger))
  const update = f.telegram.sendUserMessage({ from: user, text: '/register demo demo-token' })
  const handler = createBatchHandler(f.app)
  for (const receive of [1, 2]) {
    t.same((await handler(sqsEvent([updateRecord(update, receive)]), workerContext())).batchItemFailures, [], `receive ${receive} succeeded`)
  }
  t.equal(attemptRows(f.app, user.id).length, 1, 'the procedure ran once')
  t.same(f.telegram.botMessages(user.id).map((message) => message.text), [REPLIES.registered('demo')], 'one reply')
  await assertRecorded(t, f, update.update_id, 'procedure')
})

t.test('the ledger down for 1.5 s right after Telegram accepted the reply: one reply over all receives', async (t) => {
  const user = { id: 8102, first_name: 'Quinn' }
  let cut = (): void => {}
  const f = await fixture(t, (method, params) => method === 'sendMessage' && params.chat_id === user.id ? { afterAnswer: () => { cut() } } : 'pass')
  cut = outageOnce(f.ledger)
  const update = f.telegram.sendUserMessage({ from: user, text: '/register demo demo-token' })
  const handler = createBatchHandler(f.app)
  for (const receive of [1, 2]) {
    t.same((await handler(sqsEvent([updateRecord(update, receive)]), workerContext())).batchItemFailures, [], `receive ${receive} succeeded`)
  }
  t.same(f.telegram.botMessages(user.id).map((message) => message.text), [REPLIES.registered('demo')], 'one reply')
  t.equal(attemptRows(f.app, user.id).length, 1, 'the procedure ran once')
  await assertRecorded(t, f, update.update_id, 'reply')
})

t.test('dead-letter path: the ledger down for 1.5 s right after parking, then right after the apology: one parking, one apology over all receives', async (t) => {
  const parkingUser = { id: 8103, first_name: 'Rae' }
  const apologyUser = { id: 8104, first_name: 'Sol' }
  let cutAfterApology = (): void => {}
  const f = await fixture(t, (method, params) => method === 'sendMessage' && params.chat_id === apologyUser.id ? { afterAnswer: () => { cutAfterApology() } } : 'pass')

  const afterParking = f.telegram.sendUserMessage({ from: parkingUser, text: '/register demo t1' })
  f.afterParking(outageOnce(f.ledger))
  for (const receive of [5, 6]) {
    t.same((await f.deadLetter(sqsEvent([updateRecord(afterParking, receive)]), deadLetterContext())).batchItemFailures, [], `parking case, receive ${receive}`)
  }
  t.equal(f.parkedSends.length, 1, 'parked once')
  t.same(f.telegram.botMessages(parkingUser.id).map((message) => message.text), [APOLOGY], 'one apology')
  await assertRecorded(t, f, afterParking.update_id, 'parked')

  f.afterParking(() => {})
  f.ledger.connections.refuse = 0
  cutAfterApology = outageOnce(f.ledger)
  const afterApology = f.telegram.sendUserMessage({ from: apologyUser, text: '/help' })
  for (const receive of [5, 6]) {
    t.same((await f.deadLetter(sqsEvent([updateRecord(afterApology, receive)]), deadLetterContext())).batchItemFailures, [], `apology case, receive ${receive}`)
  }
  t.equal(f.parkedSends.length, 2, 'parked once')
  t.same(f.telegram.botMessages(apologyUser.id).map((message) => message.text), [APOLOGY], 'one apology')
  await assertRecorded(t, f, afterApology.update_id, 'apology')
})

t.test('the ledger down past the record\'s budget after the procedure answered: counted once, the record retried, and the redelivery runs the procedure again (docs/design.md)', async (t) => {
  const f = await fixture(t)
  const user = { id: 8105, first_name: 'Tam' }
  let down = false
  onStoreAnswered(f.app, () => { if (!down) { down = true; f.ledger.setMode('refuse') } })
  const update = f.telegram.sendUserMessage({ from: user, text: '/register demo demo-token' })
  const handler = createBatchHandler(f.app)

  // A short invocation: its record's budget (and the step's in-progress record) ends 14 s from now.
  const timeoutMs = 16_000
  const recordDeadline = Date.now() + timeoutMs - 2000
  const linesBefore = capturedLogLines.length
  const first = updateRecord(update, 1)
  t.same((await handler(sqsEvent([first]), lambdaContext('worker', timeoutMs))).batchItemFailures, [{ itemIdentifier: first.messageId }], 'the record is retried')
  t.ok(Date.now() < recordDeadline, 'given up inside the record\'s budget')
  t.equal(f.unsaved(), 1, `${LEDGER_COMPLETION_UNSAVED_METRIC} counted once`)
  const lines = capturedLogLines.slice(linesBefore)
  t.equal(lines.filter((line) => line.includes(`"${LEDGER_COMPLETION_UNSAVED_METRIC}":1`)).length, 1, 'written once as an EMF metric')
  t.ok(lines.some((line) => line.includes('its completion could not be saved') && line.includes(`"updateId":${update.update_id}`) && line.includes('"step":"procedure"')), 'logged with the update and the step')
  t.equal(attemptRows(f.app, user.id).length, 1)
  t.same(f.telegram.botMessages(user.id), [], 'no reply yet: its step could not start without the ledger')

  // SQS redelivers after the visibility timeout, which is longer than the function's timeout: by then
  // the step's in-progress record has lapsed.
  f.ledger.setMode('up')
  await sleep(Math.max(0, recordDeadline - Date.now()) + 100)
  t.same((await handler(sqsEvent([updateRecord(update, 2)]), workerContext())).batchItemFailures, [])
  t.equal(attemptRows(f.app, user.id).length, 2, 'what still happens twice: the procedure ran again')
  t.same(f.telegram.botMessages(user.id).map((message) => message.text), [REPLIES.registered('demo')], 'one reply')
  t.equal(f.unsaved(), 1, 'counted once')
})
