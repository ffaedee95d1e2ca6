import t from 'tap'
import { REPLIES, TEXTS } from '../../src/commands/register.js'
import { TransientError } from '../../src/errors.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import type { SqliteDatabase } from '../../src/db/sqlite-database.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { replaceRegisterCall, timedInvocations } from '../support/faults.js'
import { capturedLogLines, logLinesWithMessage } from '../support/log-capture.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { startWorkerFixture } from '../support/worker.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

const alice = { id: 5001, first_name: 'Alice', username: 'alice_tg' }
const bob = { id: 5002, first_name: 'Bob' }
const group = { id: -100777, type: 'supergroup' as const, title: 'Bets' }
const context = (): ReturnType<typeof lambdaContext> => lambdaContext('worker', 60_000)

function attempts (store: unknown): Array<{ telegram_user_id: number, username: string, outcome: string }> {
  return (store as SqliteDatabase).database.prepare('SELECT telegram_user_id, username, outcome FROM registration_attempt ORDER BY id').all() as never
}

t.test('the three replies, exact, in a private chat', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const handler = createBatchHandler(app)
  const texts = ['/register demo demo-token', '/register demo wrong-token', '/register demo']
  const records = texts.map((text) => updateRecord(telegram.sendUserMessage({ from: alice, text })))
  const result = await handler(sqsEvent(records), context())
  t.same(result, { batchItemFailures: [] })
  t.same(telegram.botMessages(alice.id).map((message) => message.text), [REPLIES.registered('demo'), REPLIES.rejected, REPLIES.malformed])
  t.same(attempts(app.database), [
    { telegram_user_id: alice.id, username: 'demo', outcome: 'registered' },
    { telegram_user_id: alice.id, username: 'demo', outcome: 'rejected' }
  ], 'the procedure ran once per well-formed command, never for the malformed one')
  t.same(telegram.deletedMessageIds(alice.id), [], 'nothing is deleted in a private chat')
})

t.test('in a group: /register@bot is answered in the group and the command message deleted', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.setBotAdmin(group.id, true)
  const update = telegram.sendUserMessage({ chat: group, from: alice, text: '/register@register_test_bot alice alice-secret-token' })
  const result = await createBatchHandler(app)(sqsEvent([updateRecord(update)]), context())
  t.same(result.batchItemFailures, [])
  t.same(telegram.botMessages(group.id).map((message) => message.text), [REPLIES.registered('alice')])
  t.same(telegram.deletedMessageIds(group.id), [update.message.message_id])
  const link = (app.database as SqliteDatabase).database.prepare('SELECT telegram_chat_id, telegram_username, username FROM telegram_link WHERE telegram_user_id = ?').get(alice.id)
  t.same(link, { telegram_chat_id: group.id, telegram_username: 'alice_tg', username: 'alice' })
})

t.test('in a group where the bot may not delete: still answered (and asked to delete), the refusal logged', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const texts = ['/register demo nope', '/REGISTER@Register_Test_Bot', '/register']
  const records = texts.map((text) => updateRecord(telegram.sendUserMessage({ chat: group, from: bob, text })))
  const result = await createBatchHandler(app)(sqsEvent(records), context())
  t.same(result.batchItemFailures, [])
  const note = TEXTS.deleteYourMessage('register_test_bot')
  t.same(telegram.botMessages(group.id).map((message) => message.text), [REPLIES.rejected, note, REPLIES.malformed, note, REPLIES.malformed, note])
  t.same(telegram.deletedMessageIds(group.id), [])
  const refusals = logLinesWithMessage('could not delete the /register message (the bot needs the right to delete messages)')
  t.equal(refusals.length, 3, 'one line per message')
  for (const line of refusals) {
    t.same(line.telegram, { code: 400, description: "Bad Request: message can't be deleted" }, "Telegram's code and description")
    t.notOk('err' in line, 'an expected refusal, logged without an error object and its stack')
  }
})

t.test('commands for other bots, unknown commands, a bare /start in a group and plain messages get no reply and are acknowledged', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const texts = ['/register@other_bot demo demo-token', '/start', '/unknown', 'hello everyone', 'register demo demo-token']
  const records = texts.map((text) => updateRecord(telegram.sendUserMessage({ chat: group, from: alice, text })))
  const result = await createBatchHandler(app)(sqsEvent(records), context())
  t.same(result.batchItemFailures, [])
  t.same(telegram.botMessages(group.id), [])
  t.same(attempts(app.database), [])
})

t.test('malformed arguments: count, length, control and format characters', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const texts = [
    '/register a b c',
    `/register ${'u'.repeat(129)} token`,
    `/register demo ${'t'.repeat(513)}`,
    '/register demo\u0007 demo-token',
    '/register de\u202Emo demo-token',
    '/register demo\u200B demo-token'
  ]
  const records = texts.map((text) => updateRecord(telegram.sendUserMessage({ from: alice, text })))
  await createBatchHandler(app)(sqsEvent(records), context())
  t.same(telegram.botMessages(alice.id).map((message) => message.text), texts.map(() => REPLIES.malformed))
  t.same(attempts(app.database), [])
})

t.test('FIFO: a transient failure fails that record and the later records of its group only', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  let outage = true
  replaceRegisterCall(app, async (request, real) => {
    if (outage && request.telegramUserId === alice.id) throw new TransientError('database unreachable')
    return await real()
  })
  const aliceFirst = updateRecord(telegram.sendUserMessage({ from: alice, text: '/register demo demo-token' }))
  const bobsRecord = updateRecord(telegram.sendUserMessage({ from: bob, text: '/register alice alice-secret-token' }))
  const aliceSecond = updateRecord(telegram.sendUserMessage({ from: alice, text: '/register demo' }))
  const handler = createBatchHandler(app)
  const first = await handler(sqsEvent([aliceFirst, bobsRecord, aliceSecond]), context())
  t.same(first.batchItemFailures.map((failure) => failure.itemIdentifier), [aliceFirst.messageId, aliceSecond.messageId])
  t.same(telegram.botMessages(alice.id), [], 'alice got nothing yet: her later command waits behind the failed one')
  t.same(telegram.botMessages(bob.id).map((message) => message.text), [REPLIES.registered('alice')])

  outage = false
  const retried = await handler(sqsEvent([aliceFirst, aliceSecond]), context())
  t.same(retried.batchItemFailures, [])
  t.same(telegram.botMessages(alice.id).map((message) => message.text), [REPLIES.registered('demo'), REPLIES.malformed], 'in order')
  t.equal(attempts(app.database).filter((attempt) => attempt.telegram_user_id === alice.id).length, 1, 'the procedure ran once for alice')
})

t.test('a batch where every record fails comes back as a list of failures', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  replaceRegisterCall(app, async () => { throw new TransientError('database unreachable') })
  const records = [alice, bob].map((from) => updateRecord(telegram.sendUserMessage({ from, text: '/register demo demo-token' })))
  const result = await createBatchHandler(app)(sqsEvent(records), context())
  t.same(result.batchItemFailures.map((failure) => failure.itemIdentifier), records.map((record) => record.messageId))
})

t.test('Telegram 429: the reply waits retry_after and goes out once', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.failNext('sendMessage', { error_code: 429, retry_after: 1 })
  const started = Date.now()
  const result = await createBatchHandler(app)(sqsEvent([updateRecord(telegram.sendUserMessage({ from: alice, text: '/register demo' }))]), context())
  t.same(result.batchItemFailures, [])
  t.ok(Date.now() - started >= 1000, 'waited retry_after')
  t.same(telegram.botMessages(alice.id).map((message) => message.text), [REPLIES.malformed])
  t.equal(telegram.callsOf('sendMessage').length, 2)
})

t.test('Telegram failing before the procedure ran: the record fails and is retried', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.failNext('sendMessage', { error_code: 502 }, 5)
  const record = updateRecord(telegram.sendUserMessage({ from: alice, text: '/register' }))
  const result = await createBatchHandler(app)(sqsEvent([record]), context())
  t.same(result.batchItemFailures, [{ itemIdentifier: record.messageId }])
  t.equal(telegram.callsOf('sendMessage').length, 5, 'five attempts, then the queue takes over')
})

t.test('the reply failing after the procedure ran: logged and acknowledged, the procedure is not run again', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' })
  const record = updateRecord(telegram.sendUserMessage({ from: alice, text: '/register demo demo-token' }))
  const result = await createBatchHandler(app)(sqsEvent([record]), context())
  t.same(result.batchItemFailures, [])
  t.equal(attempts(app.database).length, 1)
  t.ok(capturedLogLines.some((line) => line.includes('Telegram refused the reply after the procedure ran')))
})

t.test('the reply failing for a while after the procedure ran: the record is redelivered, the procedure runs once, the reply goes out once', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.failNext('sendMessage', { error_code: 502 }, 5)
  const handler = createBatchHandler(app)
  const record = updateRecord(telegram.sendUserMessage({ from: alice, text: '/register demo demo-token' }))
  t.same((await handler(sqsEvent([record]), context())).batchItemFailures, [{ itemIdentifier: record.messageId }], 'failed: SQS delivers it again')
  t.same((await handler(sqsEvent([record]), context())).batchItemFailures, [], 'the redelivery only sends the reply')
  t.same(telegram.botMessages(alice.id).map((message) => message.text), [REPLIES.registered('demo')])
  t.equal(attempts(app.database).length, 1, 'the procedure ran once')
})

t.test('Telegram refusing for good before the procedure: acknowledged, not retried forever', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' })
  const record = updateRecord(telegram.sendUserMessage({ from: alice, text: '/register' }))
  const result = await createBatchHandler(app)(sqsEvent([record]), context())
  t.same(result.batchItemFailures, [])
  const [refused] = logLinesWithMessage('Telegram refused a call for this update; acknowledged, as a retry would be refused too')
  t.match(refused, { telegram: { code: 403, description: 'Forbidden: bot was blocked by the user' } })
  t.notOk(refused !== undefined && 'err' in refused, 'logged without an error object and its stack')
})

t.test('a record is not started when the invocation has no time left after the reporting margin', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const record = updateRecord(telegram.sendUserMessage({ from: alice, text: '/register demo demo-token' }))
  const result = await createBatchHandler(app)(sqsEvent([record]), lambdaContext('worker', 1500))
  t.same(result.batchItemFailures, [{ itemIdentifier: record.messageId }])
  t.same(attempts(app.database), [], 'nothing ran')
})

t.test('a record that is not a Telegram update fails (and will reach the DLQ)', async (t) => {
  const { app } = await startWorkerFixture(t)
  const record = { ...updateRecord({ update_id: 1 }), body: '{"no":"update"}' }
  const result = await createBatchHandler(app)(sqsEvent([record]), context())
  t.same(result.batchItemFailures, [{ itemIdentifier: record.messageId }])
})

t.test('without a preset username the bot calls getMe once per cold start', async (t) => {
  const { app, telegram } = await startWorkerFixture(t, { TELEGRAM_BOT_USERNAME: undefined })
  telegram.failNext('getMe', { error_code: 401, description: 'Unauthorized' })
  const handler = createBatchHandler(app)
  const first = updateRecord(telegram.sendUserMessage({ from: alice, text: '/register@register_test_bot demo' }))
  t.equal((await handler(sqsEvent([first]), context())).batchItemFailures.length, 1, 'getMe refused: the record is retried, not acknowledged')
  await handler(sqsEvent([first]), context())
  await handler(sqsEvent([updateRecord(telegram.sendUserMessage({ from: bob, text: '/register' }))]), context())
  t.equal(telegram.callsOf('getMe').filter((call) => call.status === 200).length, 1)
  t.same(telegram.botMessages(alice.id).map((message) => message.text), [REPLIES.malformed])
})

t.test('no /register token reaches a log line', async (t) => {
  t.ok(capturedLogLines.length > 0, 'the tests above wrote log lines to search')
  for (const token of ['demo-token', 'alice-secret-token', 'wrong-token']) {
    t.notOk(capturedLogLines.some((line) => line.includes(token)), `no line contains ${token}`)
  }
})

t.test('Telegram never answering the reply: the procedure runs once over two receives, each receive ends inside its budget', async (t) => {
  const { app, telegram, botApi } = await startWorkerFixture(t, {}, (method) => method === 'sendMessage' ? 'hang' : 'pass')
  const record = updateRecord(telegram.sendUserMessage({ from: alice, text: '/register demo demo-token' }))
  // A 6 s Lambda (4 s per record after the reporting margin) instead of 60 s; the same mechanism.
  const invocation = timedInvocations(createBatchHandler(app), { timeoutMs: 6000, scale: 1 })
  for (const receive of [1, 2]) {
    const result = await invocation(sqsEvent([{ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(receive) } }]), lambdaContext('worker', 6000))
    t.same(result.batchItemFailures, [{ itemIdentifier: record.messageId }], `receive ${receive}: the record failed (SQS redelivers)`)
  }
  t.equal(invocation.killed, 0, 'no receive ran into the Lambda timeout')
  t.equal(botApi?.hung('sendMessage'), 2, 'the reply was tried on each receive')
  await botApi?.untilAbandoned('sendMessage', 2)
  t.equal(botApi?.abandoned('sendMessage'), 2, 'each hanging call was aborted at its deadline, not left running')
  t.equal(attempts(app.database).length, 1, 'the procedure ran once')
  t.ok(capturedLogLines.some((line) => line.includes('outcome known from the ledger, procedure not called')), 'the second receive took the outcome from the ledger')
})

t.test('a duplicate of an answered update, as a new SQS message after the dedup window: no procedure call, no second reply', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const handler = createBatchHandler(app)
  const record = updateRecord(telegram.sendUserMessage({ from: bob, text: '/register demo demo-token' }))
  t.same((await handler(sqsEvent([record]), context())).batchItemFailures, [])
  const duplicate = { ...record, messageId: 'later-copy', attributes: { ...record.attributes, MessageDeduplicationId: 'another-dedup-id' } }
  t.same((await handler(sqsEvent([duplicate]), context())).batchItemFailures, [])
  t.same(telegram.botMessages(bob.id).map((message) => message.text), [REPLIES.registered('demo')], 'one reply')
  t.equal(attempts(app.database).length, 1, 'one procedure call')
})

t.test('only command updates touch the ledger: a group message without a command makes no DynamoDB call', async (t) => {
  const { app, telegram, dynamo } = await startWorkerFixture(t)
  const handler = createBatchHandler(app)
  const before = dynamo.requests()
  t.same((await handler(sqsEvent([updateRecord(telegram.sendUserMessage({ chat: group, from: alice, text: 'just chatting' }))]), context())).batchItemFailures, [])
  t.equal(dynamo.requests() - before, 0, 'no DynamoDB request for a plain message')
  t.same((await handler(sqsEvent([updateRecord(telegram.sendUserMessage({ from: alice, text: '/register demo demo-token' }))]), context())).batchItemFailures, [])
  t.equal(dynamo.requests() - before, 4, 'a command: start and finish of the procedure and of the reply')
})
