import t from 'tap'
import { REPLIES, TEXTS } from '../../src/commands/register.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import type { MessageUpdate } from '../../src/local/telegram-emulator.js'
import { messageGroupIdOf } from '../../src/telegram/update.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { logLinesWithMessage } from '../support/log-capture.js'
import { attemptRows } from '../support/reliability.js'
import { anonymousAdmin, automaticForward, postedAsChannel, someBot } from '../support/senders.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { startWorkerFixture } from '../support/worker.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

/** /register through the worker's entry (the batch handler), against the Telegram emulator and the embedded store. */

const alice = { id: 5101, first_name: 'Alice', username: 'alice_tg' }
const group = { id: -100555, type: 'supergroup' as const, title: 'Team' }
const context = (): ReturnType<typeof lambdaContext> => lambdaContext('worker', 60_000)

t.test('an anonymous admin, a channel sender, an automatic forward and a bot never reach the procedure; deleted, told to use their own account', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.setBotAdmin(group.id, true)
  const senders = [anonymousAdmin(group), postedAsChannel, automaticForward, someBot]
  const updates: MessageUpdate[] = senders.map((sender) => telegram.sendUserMessage({ chat: group, ...sender, text: '/register demo demo-token' }))
  const records = updates.map((update) => updateRecord(update))
  t.same(records.map((record) => record.attributes.MessageGroupId), senders.map(() => `chat-${group.id}`), 'their FIFO group is the chat, never the shared account')

  const result = await createBatchHandler(app)(sqsEvent(records), context())
  t.same(result.batchItemFailures, [])
  t.same(attemptRows(app), [], 'the procedure was never called')
  t.same(telegram.botMessages(group.id).map((message) => message.text), senders.map(() => TEXTS.ownAccount))
  t.same(telegram.deletedMessageIds(group.id), updates.map((update) => update.message.message_id), 'every one deleted')
})

t.test('the FIFO group of a service sender is its chat, in every group; a person keeps their own group', async (t) => {
  const other = { id: -100556, type: 'group' as const, title: 'Other' }
  const message = (sender: object, chat: object): Parameters<typeof messageGroupIdOf>[0] => ({ update_id: 1, message: { message_id: 1, date: 1, chat, ...sender, text: '/register a b' } })
  t.equal(messageGroupIdOf(message(anonymousAdmin(group), group)), `chat-${group.id}`)
  t.equal(messageGroupIdOf(message(anonymousAdmin(other), other)), `chat-${other.id}`)
  t.equal(messageGroupIdOf(message({ from: { id: 777000, is_bot: false, first_name: 'Telegram' } }, group)), `chat-${group.id}`, 'the Telegram account even without sender_chat')
  t.equal(messageGroupIdOf(message({ from: { id: 42, is_bot: false, first_name: 'P' }, sender_chat: { id: -1, type: 'channel', title: 'c' } }, group)), `chat-${group.id}`, 'any sender_chat')
  t.equal(messageGroupIdOf(message({ from: { id: 42, is_bot: false, first_name: 'P' } }, group)), 'user-42')
})

t.test('a /register in a photo caption in a group is processed, deleted and answered', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.setBotAdmin(group.id, true)
  const update = telegram.sendUserMessage({ chat: group, from: alice, caption: '/register demo demo-token' })
  t.match(update.message, { caption: '/register demo demo-token', caption_entities: [{ type: 'bot_command', offset: 0, length: 9 }] })
  const result = await createBatchHandler(app)(sqsEvent([updateRecord(update)]), context())
  t.same(result.batchItemFailures, [])
  t.same(telegram.deletedMessageIds(group.id), [update.message.message_id])
  t.same(telegram.botMessages(group.id).map((message) => message.text), [REPLIES.registered('demo')])
  t.same(attemptRows(app).map((row) => row.outcome), ['registered'])
})

t.test('format characters (U+202E, U+200B) in the username get the format reply and never reach the procedure', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const texts = ['/register de\u202Eomed demo-token', '/register demo\u200B demo-token', '/register demo demo\u2060-token']
  const records = texts.map((text) => updateRecord(telegram.sendUserMessage({ from: alice, text })))
  await createBatchHandler(app)(sqsEvent(records), context())
  t.same(telegram.botMessages(alice.id).map((message) => message.text), texts.map(() => REPLIES.malformed))
  t.same(attemptRows(app), [])
})

t.test('what "Welcome …" echoes is exactly the username the procedure received', async (t) => {
  const { app, telegram } = await startWorkerFixture(t, { DEV_ACCOUNTS: 'Dëmo_ü:demo-token' })
  await createBatchHandler(app)(sqsEvent([updateRecord(telegram.sendUserMessage({ from: alice, text: '/register  Dëmo_ü   demo-token ' }))]), context())
  const [attempt] = attemptRows(app)
  t.equal(attempt?.username, 'Dëmo_ü')
  t.same(telegram.botMessages(alice.id).map((message) => message.text), [REPLIES.registered(attempt?.username ?? '')])
})

t.test('a group where the bot may not delete: the reply, then the note to delete the message; nothing extra where deletion worked', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const tidy = { id: -100557, type: 'group' as const, title: 'Tidy' }
  telegram.setBotAdmin(tidy.id, true)
  const texts = ['/register demo demo-token', '/register demo nope', '/register demo']
  const records = [
    ...texts.map((text) => updateRecord(telegram.sendUserMessage({ chat: group, from: alice, text }))),
    ...texts.map((text) => updateRecord(telegram.sendUserMessage({ chat: tidy, from: alice, text })))
  ]
  const result = await createBatchHandler(app)(sqsEvent(records), context())
  t.same(result.batchItemFailures, [])
  const note = TEXTS.deleteYourMessage('register_test_bot')
  t.same(telegram.botMessages(group.id).map((message) => message.text), [REPLIES.registered('demo'), note, REPLIES.rejected, note, REPLIES.malformed, note])
  t.same(telegram.deletedMessageIds(group.id), [])
  t.same(telegram.botMessages(tidy.id).map((message) => message.text), [REPLIES.registered('demo'), REPLIES.rejected, REPLIES.malformed])
  t.equal(telegram.deletedMessageIds(tidy.id).length, 3)
  t.match(note, /https:\/\/t\.me\/register_test_bot\?start=register/, 'the note points to the private chat')
})

t.test('the note failing to go out is logged; the update is not retried (the procedure ran once)', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const record = updateRecord(telegram.sendUserMessage({ chat: group, from: alice, text: '/register demo demo-token' }))
  // The reply goes out; the note after it meets Telegram refusing.
  telegram.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was kicked from the group chat' }, 1, 1)
  const result = await createBatchHandler(app)(sqsEvent([record]), context())
  t.same(result.batchItemFailures, [])
  t.same(telegram.callsOf('sendMessage').map((call) => call.status), [200, 403], 'the reply, then the refused note')
  t.same(telegram.botMessages(group.id).map((message) => message.text), [REPLIES.registered('demo')])
  t.equal(attemptRows(app).length, 1)
  t.ok(logLinesWithMessage('register: the note asking to delete the /register message could not be sent').length > 0)
})

t.test('a reply that fails in a group where the bot may not delete: the note still goes out, once across the redelivery', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const record = updateRecord(telegram.sendUserMessage({ chat: group, from: alice, text: '/register demo demo-token' }))
  // The reply meets a wait longer than the record has left: the update fails and is retried.
  telegram.failNext('sendMessage', { error_code: 429, retry_after: 120, description: 'Too Many Requests: retry after 120' })
  const handler = createBatchHandler(app)
  t.same((await handler(sqsEvent([record]), context())).batchItemFailures, [{ itemIdentifier: record.messageId }], 'retried for the reply')
  const note = TEXTS.deleteYourMessage('register_test_bot')
  t.same(telegram.botMessages(group.id).map((message) => message.text), [note], 'the token is not left on show until the retry')
  t.same((await handler(sqsEvent([{ ...record, messageId: 'redelivered' }]), context())).batchItemFailures, [])
  t.same(telegram.botMessages(group.id).map((message) => message.text), [note, REPLIES.registered('demo')], 'the reply, and no second note')
  t.equal(attemptRows(app).length, 1)
})

t.test('a redelivered group /register: no second deletion attempt, no second note, no second reply', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const tidy = { id: -100558, type: 'group' as const, title: 'Tidy' }
  telegram.setBotAdmin(tidy.id, true)
  const plain = updateRecord(telegram.sendUserMessage({ chat: group, from: alice, text: '/register demo demo-token' }))
  const deleted = updateRecord(telegram.sendUserMessage({ chat: tidy, from: { ...alice, id: 5102 }, text: '/register demo demo-token' }))
  const handler = createBatchHandler(app)
  for (const receive of [1, 2]) {
    // Lambda's event source may hand the same records over again (another message id, the same update).
    const result = await handler(sqsEvent([{ ...plain, messageId: `plain-${receive}` }, { ...deleted, messageId: `deleted-${receive}` }]), context())
    t.same(result.batchItemFailures, [], `receive ${receive}`)
  }
  t.same(telegram.botMessages(group.id).map((message) => message.text), [REPLIES.registered('demo'), TEXTS.deleteYourMessage('register_test_bot')], 'one reply and one note where the bot may not delete')
  t.same(telegram.botMessages(tidy.id).map((message) => message.text), [REPLIES.registered('demo')], 'one reply and no note where the deletion worked (the second attempt would find the message gone)')
  t.equal(telegram.callsOf('deleteMessage').length, 2, 'one deletion attempt per update')
  t.equal(attemptRows(app).length, 2, 'the procedure once per update')
})

t.test('a /register message already gone when the bot deletes it (its sender, or an attempt whose answer was lost) is not taken for a missing right: no note', async (t) => {
  const { app, telegram, config } = await startWorkerFixture(t)
  telegram.setBotAdmin(group.id, true)
  const update = telegram.sendUserMessage({ chat: group, from: alice, text: '/register demo demo-token' })
  // An earlier attempt deleted it and its answer never arrived.
  const gone = await fetch(`${config.telegram.apiRoot}/bot${config.telegram.botToken ?? ''}/deleteMessage`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: group.id, message_id: update.message.message_id })
  })
  t.equal(gone.status, 200)
  const result = await createBatchHandler(app)(sqsEvent([updateRecord(update)]), context())
  t.same(result.batchItemFailures, [])
  t.same(telegram.callsOf('deleteMessage').map((call) => call.status), [200, 400], 'the worker\'s attempt finds it gone')
  t.same(telegram.botMessages(group.id).map((message) => message.text), [REPLIES.registered('demo')], 'the reply, and no note asking to delete a message that is gone')
})
