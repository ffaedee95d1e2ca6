import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SendMessageCommand } from '@aws-sdk/client-sqs'
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb'
import t, { type Test } from 'tap'
import { LEDGER } from '../../infra/settings.js'
import { BOT_TEXTS } from '../../src/commands/bot-texts.js'
import { REPLIES, TEXTS } from '../../src/commands/register.js'
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime.js'
import { APOLOGY } from '../../src/worker/dead-letter.js'
import { replaceRegisterCall } from '../support/faults.js'
import { startLedgerDynamoDb } from '../support/dynamodb.js'
import { captureLogs, capturedLogLines, logLinesWithMessage } from '../support/log-capture.js'
import { watchProcessing } from '../support/processing.js'
import { anonymousAdmin, automaticForward, postedAsChannel } from '../support/senders.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

/** The whole local pipeline on free ports: emulator → webhook → embedded SQS → poller → worker → emulator. */
async function startRuntime (t: Test, env: Record<string, string> = {}): Promise<LocalRuntime & { emulator: NonNullable<LocalRuntime['emulator']> }> {
  const runtime = await startLocalRuntime({
    env: { PORT: '0', DATABASE_CONNECTION_STRING: 'sqlite::memory:', LOG_LEVEL: 'info', ...env },
    logDestination: captureLogs(),
    visibilityTimeoutSeconds: 1,
    webhookRetry: { initialDelayMs: 20, maxDelayMs: 200 },
    writeRuntimeFile: false
  })
  t.teardown(runtime.close)
  if (runtime.emulator === undefined) throw new Error('expected the embedded Telegram emulator')
  return { ...runtime, emulator: runtime.emulator }
}

const user = (id: number): { id: number, first_name: string } => ({ id, first_name: `User ${id}` })

t.test('successful, rejected and malformed /register, end to end', async (t) => {
  const { emulator, summary } = await startRuntime(t)
  t.match(summary.join('\n'), /embedded emulator/)
  emulator.sendUserMessage({ from: user(1), text: '/register demo demo-token' })
  emulator.sendUserMessage({ from: user(1), text: '/register demo not-the-token' })
  emulator.sendUserMessage({ from: user(1), text: '/register' })
  const replies = await emulator.waitForBotMessages(1, 3, 15_000)
  t.same(replies.map((message) => message.text), [REPLIES.registered('demo'), REPLIES.rejected, REPLIES.malformed])
})

t.test('/register@bot in a group: reply in the group, command message deleted', async (t) => {
  const { emulator } = await startRuntime(t)
  const group = { id: -1001, type: 'group' as const, title: 'Team' }
  emulator.setBotAdmin(group.id, true)
  const { message } = emulator.sendUserMessage({ chat: group, from: user(2), text: `/register@${emulator.botUsername} demo demo-token` })
  const replies = await emulator.waitForBotMessages(group.id, 1, 15_000)
  t.same(replies.map((reply) => reply.text), [REPLIES.registered('demo')])
  t.same(emulator.deletedMessageIds(group.id), [message.message_id])
})

t.test('through the runtime: service senders refused (grouped by chat), a caption /register, format characters, /start, the delete-your-message note', async (t) => {
  const { emulator } = await startRuntime(t)
  const group = { id: -1002, type: 'supergroup' as const, title: 'Admins' }
  const open = { id: -1003, type: 'group' as const, title: 'Open' }
  emulator.setBotAdmin(group.id, true)
  const senders = [anonymousAdmin(group), postedAsChannel, automaticForward]
  const refused = senders.map((sender) => emulator.sendUserMessage({ chat: group, ...sender, text: '/register demo demo-token' }))
  const caption = emulator.sendUserMessage({ chat: group, from: user(3), caption: '/register demo demo-token' })
  emulator.sendUserMessage({ from: user(4), text: '/register de\u202Emo demo-token' })
  emulator.sendUserMessage({ from: user(4), text: '/register demo\u200B demo-token' })
  emulator.sendUserMessage({ from: user(5), text: '/start' })
  emulator.sendUserMessage({ from: user(5), text: '/start register' })
  emulator.sendUserMessage({ chat: open, from: user(6), text: '/register demo demo-token' })

  const groupReplies = await emulator.waitForBotMessages(group.id, 4, 15_000)
  t.same(groupReplies.map((message) => message.text).sort(), [...senders.map(() => TEXTS.ownAccount), REPLIES.registered('demo')].sort())
  t.same(emulator.deletedMessageIds(group.id).sort(), [...refused, caption].map((update) => update.message.message_id).sort(), 'every /register deleted, the caption too')
  for (const update of refused) {
    const queued = logLinesWithMessage('update queued').find((line) => line.updateId === update.update_id)
    t.equal(queued?.groupId, `chat-${group.id}`, 'the webhook queued it in the chat\'s FIFO group')
  }
  t.same((await emulator.waitForBotMessages(4, 2, 15_000)).map((message) => message.text), [REPLIES.malformed, REPLIES.malformed])
  const [help, registerHere] = (await emulator.waitForBotMessages(5, 2, 15_000)).map((message) => message.text)
  t.match(help, /\/register \[username\] \[token\]/)
  t.equal(registerHere, BOT_TEXTS.registerHere('/register [username] [token]'))
  t.same((await emulator.waitForBotMessages(open.id, 2, 15_000)).map((message) => message.text), [REPLIES.registered('demo'), TEXTS.deleteYourMessage(emulator.botUsername)])
})

t.test('many users interleaved: each user\'s replies in order', async (t) => {
  const { emulator } = await startRuntime(t)
  const users = Array.from({ length: 8 }, (_, index) => 100 + index)
  const script = ['/register demo wrong', '/register', '/register demo demo-token', '/register a b c']
  for (const text of script) for (const id of users) emulator.sendUserMessage({ from: user(id), text })
  const expected = [REPLIES.rejected, REPLIES.malformed, REPLIES.registered('demo'), REPLIES.malformed]
  for (const id of users) {
    const replies = await emulator.waitForBotMessages(id, script.length, 20_000)
    t.same(replies.map((message) => message.text), expected, `user ${id} in order`)
  }
})

t.test('the same update delivered twice: one reply', async (t) => {
  const { emulator } = await startRuntime(t)
  const update = emulator.sendUserMessage({ from: user(3), text: '/register demo demo-token' })
  emulator.deliverRaw(update)
  await emulator.waitForBotMessages(3, 1, 15_000)
  await emulator.waitUntilDelivered(5_000)
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal(emulator.botMessages(3).length, 1)
})

t.test('the ledger on in-process dynalite, through Powertools: a command leaves its records; a late copy of the update (new SQS message, new dedup id) repeats nothing', async (t) => {
  const runtime = await startRuntime(t)
  const { emulator, app, queues, summary } = runtime
  const processing = watchProcessing(emulator)
  t.match(summary.join('\n'), /Ledger {8}embedded DynamoDB \(dynalite\)/)
  const update = emulator.sendUserMessage({ from: user(5), text: '/register demo demo-token' })
  await emulator.waitForBotMessages(5, 1, 15_000)

  const dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: app.config.ledger.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
  t.teardown(() => { dynamo.destroy() })
  const scan = async (): Promise<Array<Record<string, unknown>>> => {
    const { Items = [] } = await DynamoDBDocumentClient.from(dynamo).send(new ScanCommand({ TableName: app.config.ledger.table }))
    return Items.sort((a, b) => String(a.id).localeCompare(String(b.id)))
  }
  // The reply reaches the chat a moment before the worker records it as confirmed: wait for the receive to end.
  t.match((await processing.untilReported(update.update_id, 1)).attempts, [{ outcome: 'processed' }])
  const records = await scan()
  t.same(records.map((record) => [String(record.id).split('#')[0], record.status, record.data]), [['procedure', 'COMPLETED', 'registered'], ['reply', 'COMPLETED', 'sent']])
  const expiresIn = Number(records[0]?.expiration) - Date.now() / 1000
  t.ok(Math.abs(expiresIn - LEDGER.expirySeconds) < 60, `expiration is ${LEDGER.expirySeconds} s ahead (${Math.round(expiresIn)})`)

  // Telegram retrying after SQS's 5-minute deduplication window: a new message for the same update.
  await queues?.client.send(new SendMessageCommand({
    QueueUrl: queues.updates.url, MessageBody: JSON.stringify(update), MessageGroupId: `user-${5}`, MessageDeduplicationId: 'after-the-window'
  }))
  t.match((await processing.untilReported(update.update_id, 2)).attempts, [{ outcome: 'processed' }, { outcome: 'processed' }], 'the late copy was received and processed')
  t.ok(capturedLogLines.some((line) => line.includes('outcome known from the ledger, procedure not called')), 'the late copy was processed, from the ledger')
  t.equal(emulator.botMessages(5).length, 1, 'no second reply')
})

t.test('LEDGER_TABLE given: the runtime uses that DynamoDB and starts none of its own', async (t) => {
  const dynamo = await startLedgerDynamoDb(t)
  const { emulator, summary } = await startRuntime(t, dynamo.env)
  const processing = watchProcessing(emulator)
  t.match(summary.join('\n'), /Ledger {8}real DynamoDB \(LEDGER_TABLE\)/)
  const before = dynamo.requests()
  const { update_id: updateId } = emulator.sendUserMessage({ from: user(6), text: '/register demo demo-token' })
  await emulator.waitForBotMessages(6, 1, 15_000)
  // The reply reaches the chat a moment before the worker records it as confirmed: wait for the receive to end.
  await processing.untilReported(updateId, 1)
  t.equal(dynamo.requests() - before, 4, 'the ledger went to the given endpoint')
})

t.test('a record that keeps failing: DLQ after 5 receives, one apology, parked', async (t) => {
  const runtime = await startRuntime(t)
  const { emulator, app } = runtime
  let calls = 0
  replaceRegisterCall(app, async () => { calls++; throw new Error('database exploded') })
  emulator.sendUserMessage({ from: user(4), text: '/register demo demo-token' })
  const replies = await emulator.waitForBotMessages(4, 1, 30_000)
  t.same(replies.map((message) => message.text), [APOLOGY])
  t.equal(calls, 5, 'five receives before the DLQ')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal(emulator.botMessages(4).length, 1, 'told once')
  t.ok(capturedLogLines.some((line) => line.includes('parked for redrive')))
})

t.test('TELEGRAM_POLL=0 with a token: updates posted to the webhook are answered through TELEGRAM_API_ROOT', async (t) => {
  const { startTelegramEmulator } = await import('../../src/local/telegram-emulator.js')
  const otherApi = await startTelegramEmulator({ botUsername: 'compatible_bot' })
  t.teardown(otherApi.close)
  const runtime = await startLocalRuntime({
    env: { PORT: '0', DATABASE_CONNECTION_STRING: 'sqlite::memory:', TELEGRAM_BOT_TOKEN: otherApi.token, TELEGRAM_API_ROOT: otherApi.url, TELEGRAM_POLL: '0', LOG_LEVEL: 'info' },
    logDestination: captureLogs(),
    writeRuntimeFile: false
  })
  t.teardown(runtime.close)
  t.equal(runtime.emulator, undefined, 'no embedded emulator when a token is set')
  t.match(runtime.summary.join('\n'), /TELEGRAM_POLL=0/)
  await otherApi.setWebhook({ url: runtime.webhookUrl, secretToken: runtime.config.telegram.webhookSecret })
  otherApi.sendUserMessage({ from: user(5), text: '/register demo demo-token' })
  const replies = await otherApi.waitForBotMessages(5, 1, 15_000)
  t.same(replies.map((message) => message.text), [REPLIES.registered('demo')])
})

t.test('with a token and polling, the relay refuses while the bot has a webhook set', async (t) => {
  const { startTelegramEmulator } = await import('../../src/local/telegram-emulator.js')
  const deployed = await startTelegramEmulator()
  t.teardown(deployed.close)
  await deployed.setWebhook({ url: 'https://example.invalid/telegram/webhook' })
  await t.rejects(startLocalRuntime({
    env: { PORT: '0', DATABASE_CONNECTION_STRING: 'sqlite::memory:', TELEGRAM_BOT_TOKEN: deployed.token, TELEGRAM_API_ROOT: deployed.url, LOG_LEVEL: 'silent' },
    writeRuntimeFile: false
  }), { name: 'RelayRefusedError', message: /webhook set \(example\.invalid\)/ })
})

t.test('with a token and polling, updates are relayed from getUpdates into the webhook', async (t) => {
  const { startTelegramEmulator } = await import('../../src/local/telegram-emulator.js')
  const telegram = await startTelegramEmulator({ botUsername: 'polled_bot' })
  t.teardown(telegram.close)
  const runtime = await startLocalRuntime({
    env: { PORT: '0', DATABASE_CONNECTION_STRING: 'sqlite::memory:', TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url, LOG_LEVEL: 'info' },
    logDestination: captureLogs(),
    writeRuntimeFile: false
  })
  t.teardown(runtime.close)
  telegram.sendUserMessage({ from: user(6), text: '/register demo demo-token' })
  const replies = await telegram.waitForBotMessages(6, 1, 15_000)
  t.same(replies.map((message) => message.text), [REPLIES.registered('demo')])
})

t.test('TELEGRAM_PRIVACY_MODE=1: the emulated bot is in privacy mode, the webhook takes the handled update types only; a group command is answered, chatter is not delivered', async (t) => {
  const { emulator, summary } = await startRuntime(t, { TELEGRAM_PRIVACY_MODE: '1' })
  t.match(summary.join('\n'), 'privacy mode on')
  t.equal(emulator.bot.can_read_all_group_messages, false)
  t.same(emulator.webhook.allowed_updates, ['edited_message', 'message'], 'as telegram:setup sets a deployed bot')
  const group = { id: -1002, type: 'group' as const, title: 'Quiet' }
  const chatter = emulator.sendUserMessage({ chat: group, from: user(3), text: 'hello all' })
  emulator.sendUserMessage({ chat: group, from: user(3), text: '/register demo demo-token' })
  t.same((await emulator.waitForBotMessages(group.id, 1, 15_000)).map((reply) => reply.text), [REPLIES.registered('demo')])
  t.match(emulator.updateStatus(chatter.update_id), { pending: false, attempts: [], withheld: /^privacy mode/ })

  const { emulator: open } = await startRuntime(t)
  t.equal(open.bot.can_read_all_group_messages, true, 'privacy mode off by default, as the bot is deployed')
})
