import t from 'tap'
import { commands } from '../../src/commands/index.js'
import { editedCommandReply } from '../../src/commands/edited-command.js'
import { REPLIES, TEXTS } from '../../src/commands/register.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { attemptRows } from '../support/reliability.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { startWorkerFixture } from '../support/worker.js'

/** Edited messages through the worker's entry: a command's edit is answered once and never run; other edits cost nothing. */

const ann = { id: 5301, first_name: 'Ann' }
const group = { id: -100700, type: 'group' as const, title: 'Team' }
const context = (): ReturnType<typeof lambdaContext> => lambdaContext('worker', 60_000)
const byName = (name: string) => {
  const command = commands.find((candidate) => candidate.name === name)
  if (command === undefined) throw new Error(`no command ${name}`)
  return command
}

t.test('an edited /register in a private chat: answered once over redeliveries, the procedure never called', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const handler = createBatchHandler(app)
  const sent = telegram.sendUserMessage({ from: ann, text: '/register demo wrong-token' })
  t.same((await handler(sqsEvent([updateRecord(sent)]), context())).batchItemFailures, [])
  const edited = telegram.editUserMessage({ chat_id: ann.id, message_id: sent.message.message_id, text: '/register demo demo-token' })
  t.equal(edited.edited_message.text, '/register demo demo-token')
  t.ok(edited.edited_message.edit_date !== undefined, 'the emulator marks the edit')
  for (const receive of [1, 2, 3]) {
    t.same((await handler(sqsEvent([updateRecord(edited, receive)]), context())).batchItemFailures, [], `receive ${receive}`)
  }
  t.same(telegram.botMessages(ann.id).map((message) => message.text), [REPLIES.rejected, editedCommandReply(byName('register'))], 'the new message\'s answer, then one answer to the edit')
  t.equal(attemptRows(app, ann.id).length, 1, 'the procedure ran for the new message only')
  t.match(editedCommandReply(byName('register')), /edited messages.*\/register again as a new message/)

  // A second edit is another update: answered again, once.
  const again = telegram.editUserMessage({ chat_id: ann.id, message_id: sent.message.message_id, text: '/register demo other-token' })
  t.same((await handler(sqsEvent([updateRecord(again)]), context())).batchItemFailures, [])
  t.equal(telegram.botMessages(ann.id).length, 3)
  t.equal(attemptRows(app, ann.id).length, 1)
})

t.test('an edited /register in a group: deleted where the bot may, the delete-your-message note where it may not; once each over redeliveries', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const handler = createBatchHandler(app)
  const tidy = { id: -100701, type: 'supergroup' as const, title: 'Tidy' }
  telegram.setBotAdmin(tidy.id, true)
  // Written as plain messages (no update processed), then edited into a /register: the edit is what shows the token.
  const inGroup = telegram.sendUserMessage({ chat: group, from: ann, text: 'my token is coming' })
  const inTidy = telegram.sendUserMessage({ chat: tidy, from: ann, text: 'my token is coming' })
  const edits = [
    telegram.editUserMessage({ chat_id: group.id, message_id: inGroup.message.message_id, text: '/register demo demo-token' }),
    telegram.editUserMessage({ chat_id: tidy.id, message_id: inTidy.message.message_id, text: '/register@register_test_bot demo demo-token' })
  ]
  for (const receive of [1, 2]) {
    t.same((await handler(sqsEvent(edits.map((edit) => updateRecord(edit, receive))), context())).batchItemFailures, [], `receive ${receive}`)
  }
  const answer = editedCommandReply(byName('register'))
  t.same(telegram.botMessages(group.id).map((message) => message.text), [answer, TEXTS.deleteYourMessage('register_test_bot')], 'where the bot may not delete: the answer and the note, once')
  t.same(telegram.deletedMessageIds(group.id), [])
  t.same(telegram.botMessages(tidy.id).map((message) => message.text), [answer], 'where it may: the answer once')
  t.same(telegram.deletedMessageIds(tidy.id), [inTidy.message.message_id], 'the edited message deleted once')
  t.equal(attemptRows(app).length, 0, 'the procedure never ran')
})

t.test('an edited /help (and /help@bot in a group) is answered once over redeliveries; edits of other messages get no Bot API call', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const handler = createBatchHandler(app)
  const help = telegram.sendUserMessage({ from: ann, text: 'hepl' })
  const inGroup = telegram.sendUserMessage({ chat: group, from: ann, text: 'help?' })
  const plain = telegram.sendUserMessage({ from: ann, text: 'hello' })
  const photo = telegram.sendUserMessage({ chat: group, from: ann, caption: 'a photo' })
  const elsewhere = telegram.sendUserMessage({ chat: group, from: ann, text: 'x' })
  const callsBefore = telegram.calls.length
  const quiet = [
    telegram.editUserMessage({ chat_id: ann.id, message_id: plain.message.message_id, text: 'hello again' }),
    telegram.editUserMessage({ chat_id: group.id, message_id: photo.message.message_id, text: 'a better caption' }),
    telegram.editUserMessage({ chat_id: group.id, message_id: elsewhere.message.message_id, text: '/help' }),
    telegram.editUserMessage({ chat_id: group.id, message_id: elsewhere.message.message_id, text: '/register@other_bot a b' }),
    telegram.editUserMessage({ chat_id: ann.id, message_id: plain.message.message_id, text: '/unknown' })
  ]
  t.equal(quiet[1]?.edited_message.caption, 'a better caption', 'a photo\'s edit changes its caption')
  t.same((await handler(sqsEvent(quiet.map((edit) => updateRecord(edit))), context())).batchItemFailures, [])
  t.equal(telegram.calls.length, callsBefore, 'no Bot API call for edits that are not a command of this bot (a bare /help in a group is another bot\'s)')

  const edits = [
    telegram.editUserMessage({ chat_id: ann.id, message_id: help.message.message_id, text: '/help' }),
    telegram.editUserMessage({ chat_id: group.id, message_id: inGroup.message.message_id, text: '/help@register_test_bot' })
  ]
  for (const receive of [1, 2]) {
    t.same((await handler(sqsEvent(edits.map((edit) => updateRecord(edit, receive))), context())).batchItemFailures, [], `receive ${receive}`)
  }
  const answer = editedCommandReply(byName('help'))
  t.same(telegram.botMessages(ann.id).map((message) => message.text), [answer])
  t.same(telegram.botMessages(group.id).map((message) => message.text), [answer])
  t.same(telegram.deletedMessageIds(group.id), [], '/help is not hidden')
})

t.test('the emulator: edits over its user API; it refuses edits Telegram could not have (a missing message, the bot\'s message, an empty text)', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const sent = telegram.sendUserMessage({ from: ann, text: '/help' })
  await createBatchHandler(app)(sqsEvent([updateRecord(sent)]), context())
  const [botReply] = telegram.botMessages(ann.id)
  t.throws(() => telegram.editUserMessage({ chat_id: ann.id, message_id: 999, text: 'x' }), /message 999 is not in chat/)
  t.throws(() => telegram.editUserMessage({ chat_id: ann.id, message_id: botReply?.message_id ?? 0, text: 'x' }), /not the bot's/)
  t.throws(() => telegram.editUserMessage({ chat_id: ann.id, message_id: sent.message.message_id, text: '' }), /invalid edit/)

  const response = await fetch(`${telegram.url}/emulator/edits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ chat_id: ann.id, message_id: sent.message.message_id, text: '/start' })
  })
  t.equal(response.status, 200)
  const { update } = await response.json() as { update: { edited_message: { text: string, message_id: number } } }
  t.match(update.edited_message, { text: '/start', message_id: sent.message.message_id })
  const refused = await fetch(`${telegram.url}/emulator/edits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: ann.id, message_id: 999, text: 'x' }) })
  t.equal(refused.status, 400)
})
