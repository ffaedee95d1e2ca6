import t from 'tap'
import { Telegraf, Telegram, TelegramError } from 'telegraf'
import {
  EmulatorInputError, generateBotToken, startTelegramEmulator, type BotApiResponse, type TelegramEmulator, type TgUpdate
} from '../../src/local/telegram-emulator.js'
import { handlerWaiting, startFakeTelegram, startWebhookReceiver, waitingLongPoll, type WebhookAnswer, type WebhookRequest } from '../support/telegram.js'
import { closedPort, until } from '../support/wait.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

const alice = { id: 4242, first_name: 'Alice', username: 'alice_w' }
const bob = { id: 5353, first_name: 'Bob' }
const group = { id: -100777, type: 'group' as const, title: 'Team' }
const supergroup = { id: -1009876543210, type: 'supergroup' as const, title: 'Big team' }

/** The emulator's chat long poll (src/local/telegram-emulator/user-api.ts), as Fastify names its route. */
const CHAT_POLL_ROUTE = '/emulator/chats/:chatId/messages'

function client (emulator: TelegramEmulator, token = emulator.token): Telegram {
  return new Telegram(token, { apiRoot: emulator.url })
}

/** The TelegramError a Bot API call rejects with. */
async function telegramError (call: Promise<unknown>): Promise<TelegramError> {
  try {
    await call
  } catch (error) {
    if (error instanceof TelegramError) return error
    throw error
  }
  throw new Error('the call succeeded; a TelegramError was expected')
}

/** A raw HTTP call to the Bot API, for what Telegraf does not show (descriptions of successes, forms, query strings). */
async function raw (emulator: TelegramEmulator, method: string, init: RequestInit & { query?: string } = {}): Promise<{ status: number, body: BotApiResponse }> {
  const response = await fetch(`${emulator.url}/bot${emulator.token}/${method}${init.query === undefined ? '' : `?${init.query}`}`, init)
  return { status: response.status, body: await response.json() as BotApiResponse }
}

async function json (emulator: TelegramEmulator, method: string, params: Record<string, unknown>): Promise<{ status: number, body: BotApiResponse }> {
  return await raw(emulator, method, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) })
}

function chatIdOf (request: WebhookRequest): number | undefined {
  return (request.update.message as { chat: { id: number } } | undefined)?.chat.id
}

t.test('getMe answers the bot; the id comes from the token; a generated token looks like Telegram\'s', async (t) => {
  const emulator = await startFakeTelegram(t, { token: '123456789:AAE_test-token_0123456789abcdefghijk', botUsername: 'my_test_bot', botFirstName: 'Test' })
  t.same(await client(emulator).getMe(), {
    id: 123456789,
    is_bot: true,
    first_name: 'Test',
    username: 'my_test_bot',
    can_join_groups: true,
    // Privacy mode is off unless asked for (telegram-emulator-privacy.test.ts).
    can_read_all_group_messages: true,
    supports_inline_queries: false
  })
  t.equal(emulator.botId, 123456789)
  t.equal(emulator.botUsername, 'my_test_bot')
  t.equal(emulator.apiRoot, emulator.url)

  const token = generateBotToken()
  t.match(token, /^\d{10}:[A-Za-z0-9_-]{35}$/)
  const generated = await startFakeTelegram(t)
  t.match(generated.token, /^\d+:[A-Za-z0-9_-]{35}$/)
  t.equal((await client(generated).getMe()).id, Number(generated.token.split(':')[0]))
  t.equal(generated.bot.username, 'local_register_bot')

  const wrong = 'not-a-token-but-a-secret'
  const refusal = await startTelegramEmulator({ token: wrong }).then(() => undefined, (error: Error) => error.message)
  t.match(refusal, /token must look like <bot id>:<secret/)
  t.notOk(refusal?.includes(wrong), 'the refusal does not repeat the token')
})

t.test('a wrong token gets 401 Unauthorized, an unknown method or path 404 Not Found', async (t) => {
  const emulator = await startFakeTelegram(t)
  const unauthorized = await telegramError(client(emulator, `${emulator.botId}:wrong_secret_wrong_secret_wrong_secret`).getMe())
  t.equal(unauthorized.code, 401)
  t.equal(unauthorized.description, 'Unauthorized')

  const notFound = await telegramError(client(emulator).callApi('sendTelepathy' as 'getMe', {}))
  t.equal(notFound.code, 404)
  t.equal(notFound.description, 'Not Found')
  t.same(emulator.calls.map((call) => [call.method, call.status]), [['getMe', 401], ['sendTelepathy', 404]])

  const page = await fetch(`${emulator.url}/somewhere/else`)
  t.equal(page.status, 404)
  t.same(await page.json(), { ok: false, error_code: 404, description: 'Not Found' })
})

t.test('sendMessage', async (t) => {
  const emulator = await startFakeTelegram(t)
  const telegram = client(emulator)

  t.test('to a known chat: a Message from the bot with per-chat increasing ids, text trimmed', async (t) => {
    const incoming = emulator.sendUserMessage({ from: alice, text: 'hi' })
    const first = await telegram.sendMessage(alice.id, '  Hello Alice \n')
    const second = await telegram.sendMessage(alice.id, 'Again')
    t.equal(incoming.message.message_id, 1)
    t.equal(first.message_id, 2)
    t.equal(second.message_id, 3)
    t.same(first.from, { id: emulator.botId, is_bot: true, first_name: emulator.bot.first_name, username: emulator.botUsername })
    t.same(first.chat, { id: alice.id, type: 'private', first_name: 'Alice', username: 'alice_w' })
    t.equal(first.text, 'Hello Alice')
    t.ok(Math.abs(first.date - Date.now() / 1000) < 5)

    emulator.sendUserMessage({ chat: group, from: bob, text: 'hello group' })
    t.equal((await telegram.sendMessage(group.id, 'hello Bob')).message_id, 2, 'ids are per chat')
    t.same(emulator.botMessages(alice.id).map((message) => message.text), ['Hello Alice', 'Again'])
    t.same(emulator.chatMessages(alice.id).map((message) => [message.message_id, message.text]), [[1, 'hi'], [2, 'Hello Alice'], [3, 'Again']])
    t.equal((await telegram.sendMessage('@alice_w', 'by username')).chat.id, alice.id)
  })

  t.test('to an unknown chat, without chat_id, or with an empty or too long text: Telegram\'s 400s', async (t) => {
    const cases: Array<[Promise<unknown>, string]> = [
      [telegram.sendMessage(999, 'hello'), 'Bad Request: chat not found'],
      [telegram.sendMessage('@nobody_here', 'hello'), 'Bad Request: chat not found'],
      [telegram.callApi('sendMessage', { text: 'hello' } as never), 'Bad Request: chat_id is empty'],
      [telegram.sendMessage(alice.id, ''), 'Bad Request: message text is empty'],
      [telegram.sendMessage(alice.id, ' \n\t '), 'Bad Request: message text is empty'],
      [telegram.sendMessage(alice.id, 'x'.repeat(4097)), 'Bad Request: message is too long']
    ]
    for (const [call, description] of cases) {
      const error = await telegramError(call)
      t.equal(error.code, 400)
      t.equal(error.description, description)
    }
    t.equal((await telegram.sendMessage(alice.id, 'y'.repeat(4096))).text?.length, 4096)
  })

  t.test('replies: reply_parameters and reply_to_message_id', async (t) => {
    const asked = emulator.sendUserMessage({ from: alice, text: 'question' })
    const answer = await telegram.sendMessage(alice.id, 'answer', { reply_parameters: { message_id: asked.message.message_id } })
    t.equal(answer.reply_to_message?.message_id, asked.message.message_id)
    t.equal((answer.reply_to_message as { text?: string } | undefined)?.text, 'question')
    const legacy = await telegram.callApi('sendMessage', { chat_id: alice.id, text: 'legacy', reply_to_message_id: answer.message_id } as never) as { reply_to_message?: { message_id: number, reply_to_message?: unknown } }
    t.equal(legacy.reply_to_message?.message_id, answer.message_id)
    t.notOk(legacy.reply_to_message?.reply_to_message, 'a replied-to message carries no further reply')
    const missing = await telegramError(telegram.sendMessage(alice.id, 'x', { reply_parameters: { message_id: 9999 } }))
    t.equal(missing.description, 'Bad Request: message to be replied not found')
    const allowed = await telegram.sendMessage(alice.id, 'x', { reply_parameters: { message_id: 9999, allow_sending_without_reply: true } })
    t.notOk(allowed.reply_to_message)
  })

  t.test('parse modes: markup is removed, bad markup refused as Telegram refuses it', async (t) => {
    const sent = async (text: string, parseMode: 'HTML' | 'MarkdownV2' | 'Markdown'): Promise<string | undefined> =>
      (await telegram.sendMessage(alice.id, text, { parse_mode: parseMode })).text
    t.equal(await sent('<b>Hi</b> <a href="https://x.test">there</a> &amp; &lt;you&gt; &#65;&#x42; &copy;', 'HTML'), 'Hi there & <you> AB &copy;')
    t.equal(await sent('Welcome *demo*\\! _it_ __u__ ~s~ ||spoiler|| `co\\`de` [link](https://x.test) ```js\nconst a = 1```\n>quote', 'MarkdownV2'),
      'Welcome demo! it u s spoiler co`de link const a = 1\nquote')
    t.equal(await sent('*b* _i_ `c` [l](https://x.test) ```pre``` \\*', 'Markdown'), 'b i c l pre *')

    const refused: Array<[string, 'HTML' | 'MarkdownV2' | 'Markdown', string]> = [
      ['Registration successful! Welcome demo', 'MarkdownV2', "Bad Request: can't parse entities: Character '!' is reserved and must be escaped with the preceding '\\'"],
      ['*bold', 'MarkdownV2', "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 0"],
      ['é `code', 'MarkdownV2', "Bad Request: can't parse entities: Can't find end of code entity at byte offset 3"],
      ['```pre', 'MarkdownV2', "Bad Request: can't parse entities: Can't find end of pre entity at byte offset 0"],
      ['[a] b', 'MarkdownV2', "Bad Request: can't parse entities: Character ']' is reserved and must be escaped with the preceding '\\'"],
      ['[a](https://x', 'MarkdownV2', "Bad Request: can't parse entities: Can't find end of a url at byte offset 3"],
      ['ab <foo>x</foo>', 'HTML', 'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 3'],
      ['x</foo>', 'HTML', 'Bad Request: can\'t parse entities: Unsupported end tag "foo" at byte offset 1'],
      ['*bold', 'Markdown', "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 0"],
      ['<b></b>', 'HTML', 'Bad Request: message text is empty']
    ]
    for (const [text, mode, description] of refused) {
      t.equal((await telegramError(telegram.sendMessage(alice.id, text, { parse_mode: mode }))).description, description, `${mode}: ${text}`)
    }
    const unknownMode = await telegramError(telegram.sendMessage(alice.id, 'x', { parse_mode: 'BBCode' as 'HTML' }))
    t.equal(unknownMode.description, 'Bad Request: unsupported parse_mode')
  })
})

t.test('parameters arrive as JSON, url-encoded forms, multipart forms and query strings; method names ignore case', async (t) => {
  const emulator = await startFakeTelegram(t)
  emulator.sendUserMessage({ from: alice, text: 'hi' })

  const byQuery = await raw(emulator, 'sendMessage', { query: `chat_id=${alice.id}&text=by%20query` })
  t.equal(byQuery.status, 200)
  t.match(byQuery.body, { ok: true, result: { text: 'by query', chat: { id: alice.id } } })

  const byForm = await raw(emulator, 'SENDMESSAGE', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ chat_id: String(alice.id), text: 'by form', reply_parameters: JSON.stringify({ message_id: 1 }) }).toString()
  })
  t.match(byForm.body, { ok: true, result: { text: 'by form', reply_to_message: { message_id: 1 } } })

  const form = new FormData()
  form.set('chat_id', String(alice.id))
  form.set('text', 'by multipart')
  t.match((await raw(emulator, 'sendMessage', { method: 'POST', body: form })).body, { ok: true, result: { text: 'by multipart' } })

  const noBoundary = await raw(emulator, 'sendMessage', { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' })
  t.same([noBoundary.status, noBoundary.body], [400, { ok: false, error_code: 400, description: 'Bad Request: multipart boundary is missing' }])

  const badJson = await raw(emulator, 'sendMessage', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"chat_id":' })
  t.equal(badJson.status, 400)
  t.match(badJson.body, { ok: false, error_code: 400, description: /^Bad Request: / })

  const badReply = await raw(emulator, 'sendMessage', { query: `chat_id=${alice.id}&text=x&reply_parameters=%7Bnope` })
  t.same(badReply.body, { ok: false, error_code: 400, description: "Bad Request: can't parse reply parameters JSON object" })

  const sendMessages = emulator.callsOf('sendmessage')
  t.same(sendMessages.map((call) => call.params.text), ['by query', 'by form', 'by multipart', 'x'])
  t.equal(sendMessages[1]?.method, 'sendMessage', 'calls carry the canonical method name')
  t.equal(sendMessages[0]?.params.chat_id, String(alice.id), 'query string values are recorded as received')
})

t.test('parameter values are read as Telegram reads them: numbers, booleans and objects from strings or JSON', async (t) => {
  const emulator = await startFakeTelegram(t)
  const update = emulator.sendUserMessage({ from: alice, text: 'hi' })
  const receiver = await startWebhookReceiver(t, () => ({ status: 500 }))
  const description = async (method: string, query: string): Promise<string | undefined> => {
    const { body } = await raw(emulator, method, { query })
    return body.ok ? undefined : body.description
  }
  t.equal(await description('deleteMessage', `chat_id=${alice.id}&message_id=abc`), 'Bad Request: message identifier is not specified', 'not a number reads as 0')
  t.equal(await description('deleteMessage', `chat_id=${alice.id}&message_id=%20${update.message.message_id}%20`), undefined, 'spaces around a number are fine')
  t.equal((await json(emulator, 'sendMessage', { chat_id: { id: alice.id }, text: 'x' })).body.ok, false, 'an object is no chat id')

  for (const drop of [true, 1, 'TRUE', '1']) {
    emulator.sendUserMessage({ from: alice, text: 'pending' })
    await json(emulator, 'setWebhook', { url: receiver.url, drop_pending_updates: drop })
    t.equal(emulator.webhook.pending_update_count, 0, `drop_pending_updates=${JSON.stringify(drop)}`)
    await json(emulator, 'deleteWebhook', {})
  }
  for (const keep of [false, 0, 'no']) {
    emulator.sendUserMessage({ from: alice, text: 'pending' })
    await json(emulator, 'deleteWebhook', { drop_pending_updates: keep })
    t.ok(emulator.webhook.pending_update_count > 0, `drop_pending_updates=${JSON.stringify(keep)} keeps the queue`)
  }

  const boundary = 'XyZ'
  const body = [`--${boundary}`, 'Content-Disposition: form-data; name="chat_id"', '', String(alice.id), `--${boundary}`, 'Content-Type: text/plain', '',
    'a part without a name', `--${boundary}`, 'Content-Disposition: form-data; name="text"', '', 'multipart text', `--${boundary}--`, ''].join('\r\n')
  const sent = await raw(emulator, 'sendMessage', { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` }, body })
  t.match(sent.body, { ok: true, result: { text: 'multipart text' } })
})

t.test('deleteMessage: private chats always, groups only with the right, the bot\'s own messages everywhere', async (t) => {
  const emulator = await startFakeTelegram(t)
  const telegram = client(emulator)

  const privateMessage = emulator.sendUserMessage({ from: alice, text: '/register alice secret' })
  t.equal(await telegram.deleteMessage(alice.id, privateMessage.message.message_id), true)
  t.same(emulator.deletedMessageIds(alice.id), [privateMessage.message.message_id])
  t.equal((await telegramError(telegram.deleteMessage(alice.id, privateMessage.message.message_id))).description, 'Bad Request: message to delete not found')
  t.equal((await telegramError(telegram.deleteMessage(alice.id, 777))).description, 'Bad Request: message to delete not found')
  t.equal((await telegramError(telegram.callApi('deleteMessage', { chat_id: alice.id } as never))).description, 'Bad Request: message identifier is not specified')
  t.equal((await telegramError(telegram.deleteMessage(-5, 1))).description, 'Bad Request: chat not found')

  for (const chat of [group, supergroup]) {
    const command = emulator.sendUserMessage({ chat, from: bob, text: '/register bob secret' })
    const refused = await telegramError(telegram.deleteMessage(chat.id, command.message.message_id))
    t.equal(refused.code, 400)
    t.equal(refused.description, "Bad Request: message can't be deleted", `${chat.type} without the right`)
    t.same(emulator.deletedMessageIds(chat.id), [])

    const own = await telegram.sendMessage(chat.id, 'mine')
    t.equal(await telegram.deleteMessage(chat.id, own.message_id), true, 'the bot deletes its own message')

    emulator.setBotAdmin(chat.id, true)
    t.equal(await telegram.deleteMessage(chat.id, command.message.message_id), true, `${chat.type} with can_delete_messages`)
    t.same(emulator.deletedMessageIds(chat.id), [own.message_id, command.message.message_id])

    const later = emulator.sendUserMessage({ chat, from: bob, text: 'more' })
    emulator.setBotAdmin(chat.id, false)
    t.equal((await telegramError(telegram.deleteMessage(chat.id, later.message.message_id))).description, "Bad Request: message can't be deleted", 'demoted again')
  }
  t.equal(emulator.chatMessages(alice.id).length, 1, 'deleted messages stay in the history')
})

t.test('getChat, getChatMember and sendChatAction', async (t) => {
  const emulator = await startFakeTelegram(t)
  const telegram = client(emulator)
  emulator.sendUserMessage({ chat: group, from: bob, text: 'hi' })
  t.same(await telegram.getChat(group.id), { id: group.id, type: 'group', title: 'Team' })
  t.match(await telegram.getChatMember(group.id, emulator.botId), { status: 'member', user: { id: emulator.botId } })
  emulator.setBotAdmin(group.id, true)
  t.match(await telegram.getChatMember(group.id, emulator.botId), { status: 'administrator', can_delete_messages: true })
  t.match(await telegram.getChatMember(group.id, bob.id), { status: 'member', user: { id: bob.id, first_name: 'Bob' } })
  t.equal((await telegramError(telegram.getChatMember(group.id, 1))).description, 'Bad Request: user not found')
  t.equal(await telegram.sendChatAction(group.id, 'typing'), true)
  t.equal((await telegramError(telegram.callApi('sendChatAction', { chat_id: group.id } as never))).description, 'Bad Request: action is empty')
})

t.test('setWebhook, getWebhookInfo and deleteWebhook', async (t) => {
  const emulator = await startFakeTelegram(t)
  const telegram = client(emulator)
  const receiver = await startWebhookReceiver(t, () => ({ status: 500 }))

  t.same(await telegram.getWebhookInfo(), { url: '', has_custom_certificate: false, pending_update_count: 0 })
  emulator.sendUserMessage({ from: alice, text: 'waiting' })
  t.equal((await telegram.getWebhookInfo()).pending_update_count, 1, 'no webhook: the update waits for getUpdates')

  const set = await json(emulator, 'setWebhook', { url: receiver.url, secret_token: 'S3cret_-token', max_connections: 5, allowed_updates: ['message'] })
  t.same(set.body, { ok: true, result: true, description: 'Webhook was set' })
  t.match(await telegram.getWebhookInfo(), { url: receiver.url, has_custom_certificate: false, pending_update_count: 1, max_connections: 5, allowed_updates: ['message'] })
  t.equal(emulator.webhook.secret_token, 'S3cret_-token')
  t.same((await json(emulator, 'setWebhook', { url: receiver.url, secret_token: 'S3cret_-token', max_connections: 5 })).body,
    { ok: true, result: true, description: 'Webhook is already set' })

  const refusals: Array<[Record<string, unknown>, string]> = [
    [{ url: receiver.url, secret_token: 'has space' }, 'Bad Request: secret token contains unallowed characters'],
    [{ url: receiver.url, secret_token: 'base64+/=' }, 'Bad Request: secret token contains unallowed characters'],
    [{ url: receiver.url, secret_token: 'a'.repeat(257) }, 'Bad Request: secret token is too long'],
    [{ url: 'ftp://example.test/hook' }, 'Bad Request: invalid webhook URL specified'],
    [{ url: 'not a url' }, 'Bad Request: invalid webhook URL specified'],
    [{ url: receiver.url, allowed_updates: 'message' }, "Bad Request: can't parse allowed updates JSON object"]
  ]
  for (const [params, description] of refusals) {
    t.same((await json(emulator, 'setWebhook', params)).body, { ok: false, error_code: 400, description })
  }
  t.equal((await telegram.getWebhookInfo()).url, receiver.url, 'a refused setWebhook changes nothing')
  t.ok(await telegram.setWebhook(receiver.url, { secret_token: 'a'.repeat(256), max_connections: 1000 }))
  t.equal((await telegram.getWebhookInfo()).max_connections, 100, 'max_connections is clamped to 1–100')

  t.same((await json(emulator, 'deleteWebhook', {})).body, { ok: true, result: true, description: 'Webhook was deleted' })
  t.same((await json(emulator, 'deleteWebhook', {})).body, { ok: true, result: true, description: 'Webhook is already deleted' })
  t.match(await telegram.getWebhookInfo(), { url: '', pending_update_count: 1 })
  t.notOk('max_connections' in await telegram.getWebhookInfo())

  await telegram.setWebhook(receiver.url)
  t.same((await json(emulator, 'setWebhook', { url: '' })).body, { ok: true, result: true, description: 'Webhook was deleted' }, 'an empty url removes the webhook')
  t.ok(await telegram.deleteWebhook({ drop_pending_updates: true }))
  t.equal((await telegram.getWebhookInfo()).pending_update_count, 0, 'drop_pending_updates forgets the queue')

  emulator.sendUserMessage({ from: alice, text: 'again' })
  await telegram.setWebhook(receiver.url, { drop_pending_updates: true })
  t.equal((await telegram.getWebhookInfo()).pending_update_count, 0)

  await emulator.setWebhook({ url: receiver.url, secretToken: '', maxConnections: 3, allowedUpdates: ['message'], dropPendingUpdates: true })
  t.match(emulator.webhook, { url: receiver.url, max_connections: 3 })
  t.notOk('secret_token' in emulator.webhook, 'an empty secret is no secret')
  await t.rejects(emulator.setWebhook({ url: receiver.url, secretToken: 'no spaces please' }), /setWebhook refused: Bad Request: secret token contains unallowed characters/)
  t.equal(emulator.callsOf('setWebhook').filter((call) => call.source === 'http').length, emulator.callsOf('setWebhook').length, 'in-process set-up is not recorded')
})

t.test('getUpdates', async (t) => {
  t.test('long polling answers as soon as an update arrives; offset confirms', async (t) => {
    const emulator = await startFakeTelegram(t)
    const telegram = client(emulator)
    t.same(await telegram.getUpdates(0, 100, 0, undefined), [], 'nothing queued: an immediate empty answer')

    const started = Date.now()
    const { poll: polled } = await waitingLongPoll(async () => await telegram.getUpdates(50, 100, 0, undefined))
    const first = emulator.sendUserMessage({ from: alice, text: 'one' })
    const updates = await polled
    t.ok(Date.now() - started < 25_000, 'answered on arrival, not after the 50 s timeout')
    t.same(updates, [first])

    const second = emulator.sendUserMessage({ from: alice, text: 'two' })
    t.same((await telegram.getUpdates(0, 100, 0, undefined)).map((update) => update.update_id), [first.update_id, second.update_id], 'unconfirmed updates come again')
    t.ok(second.update_id > first.update_id, 'update ids increase')
    t.same((await telegram.getUpdates(0, 100, first.update_id + 1, undefined)).map((update) => update.update_id), [second.update_id])
    t.equal((await telegram.getWebhookInfo()).pending_update_count, 1)
    const delivered = emulator.waitUntilDelivered(20_000)
    t.same(await telegram.getUpdates(0, 100, second.update_id + 1, undefined), [])
    t.equal((await telegram.getWebhookInfo()).pending_update_count, 0)
    await t.resolves(delivered, 'a confirmation wakes those waiting for delivery')
  })

  t.test('limit, negative offset and allowed_updates', async (t) => {
    const emulator = await startFakeTelegram(t)
    const telegram = client(emulator)
    const sent = ['a', 'b', 'c'].map((text) => emulator.sendUserMessage({ from: alice, text }))
    t.equal((await telegram.getUpdates(0, 2, 0, undefined)).length, 2)
    t.same((await telegram.getUpdates(0, 100, -1, undefined)).map((update) => update.update_id), [sent[2]?.update_id], 'offset -1: the last update only')
    t.equal((await telegram.getWebhookInfo()).pending_update_count, 1, 'the earlier ones are forgotten')

    await telegram.getUpdates(0, 100, -0, ['callback_query'])
    await telegram.getUpdates(0, 100, (sent[2]?.update_id ?? 0) + 1, undefined)
    emulator.sendUserMessage({ from: alice, text: 'filtered out' })
    t.equal((await telegram.getWebhookInfo()).pending_update_count, 0, 'a message is not produced when only callback queries are allowed')
    await telegram.getUpdates(0, 100, 0, [])
    emulator.deliverRaw({ update_id: 1, message_reaction: { chat: { id: alice.id, type: 'private' }, user: alice } })
    t.equal((await telegram.getWebhookInfo()).pending_update_count, 0, 'reactions need an explicit allowed_updates')
    emulator.sendUserMessage({ from: alice, text: 'allowed again' })
    t.equal((await telegram.getWebhookInfo()).pending_update_count, 1, 'an empty list restores the default')
  })

  t.test('a long poll without updates answers [] after its timeout', async (t) => {
    const emulator = await startFakeTelegram(t)
    const started = Date.now()
    t.same(await client(emulator).getUpdates(1, 100, 0, undefined), [])
    t.ok(Date.now() - started >= 900, 'waited about a second')
  })

  t.test('409s: while a webhook is set, and for the long poll a newer one or setWebhook terminates', async (t) => {
    const emulator = await startFakeTelegram(t)
    const telegram = client(emulator)
    const receiver = await startWebhookReceiver(t)

    const { poll: older } = await waitingLongPoll(async () => await telegramError(telegram.getUpdates(5, 100, 0, undefined)))
    const newer = telegram.getUpdates(5, 100, 0, undefined)
    const conflict = await older
    t.equal(conflict.code, 409)
    t.equal(conflict.description, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running')
    const update = emulator.sendUserMessage({ from: alice, text: 'for the newer poll' })
    t.same((await newer).map((item) => item.update_id), [update.update_id], 'the newer long poll goes on')

    const { poll: waiting } = await waitingLongPoll(async () => await telegramError(telegram.getUpdates(5, 100, update.update_id + 1, undefined)))
    await telegram.setWebhook(receiver.url)
    t.equal((await waiting).description, 'Conflict: terminated by setWebhook request')

    const blocked = await telegramError(telegram.getUpdates(0, 100, 0, undefined))
    t.equal(blocked.code, 409)
    t.equal(blocked.description, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
  })

  t.test('a long poll whose client went away is forgotten', async (t) => {
    const emulator = await startFakeTelegram(t)
    const telegram = client(emulator)
    const controller = new AbortController()
    const { poll: gone } = await waitingLongPoll(async () => await telegram.callApi('getUpdates', { timeout: 5 }, { signal: controller.signal as never }).catch((error: Error) => error.name))
    controller.abort()
    t.equal(await gone, 'AbortError')
    const { poll: next } = await waitingLongPoll(async () => await telegram.getUpdates(5, 100, 0, undefined))
    const update = emulator.sendUserMessage({ from: alice, text: 'still there' })
    t.same((await next).map((item) => item.update_id), [update.update_id])
  })
})

t.test('failNext: injected 429s and 5xx look like Telegram\'s, then calls succeed again', async (t) => {
  const emulator = await startFakeTelegram(t)
  const telegram = client(emulator)
  emulator.sendUserMessage({ from: alice, text: 'hi' })

  emulator.failNext('sendMessage', { error_code: 429, retry_after: 2 })
  const limited = await telegramError(telegram.sendMessage(alice.id, 'one'))
  t.equal(limited.code, 429)
  t.equal(limited.description, 'Too Many Requests: retry after 2')
  t.same(limited.parameters, { retry_after: 2 })
  t.equal((await telegram.sendMessage(alice.id, 'one')).text, 'one')

  emulator.failNext('sendmessage', { error_code: 500 }, 2)
  for (let i = 0; i < 2; i++) {
    const failed = await telegramError(telegram.sendMessage(alice.id, 'two'))
    t.equal(failed.code, 500)
    t.equal(failed.description, 'Internal Server Error')
  }
  t.equal((await telegram.sendMessage(alice.id, 'two')).text, 'two')

  emulator.failNext('deleteMessage', { error_code: 502, description: 'Bad Gateway: upstream' })
  const gateway = await json(emulator, 'deleteMessage', { chat_id: alice.id, message_id: 1 })
  t.same([gateway.status, gateway.body], [502, { ok: false, error_code: 502, description: 'Bad Gateway: upstream' }])
  emulator.failNext('getMe', { error_code: 503 })
  t.match((await json(emulator, 'getMe', {})).body, { ok: false, error_code: 503, description: 'Service Unavailable' })
  emulator.failNext('getMe', { error_code: 418 })
  t.match((await json(emulator, 'getMe', {})).body, { ok: false, error_code: 418, description: 'Internal Server Error' })

  t.same(emulator.callsOf('sendMessage').map((call) => call.status), [429, 200, 500, 500, 200])
  t.same(emulator.botMessages(alice.id).map((message) => message.text), ['one', 'two'], 'failed calls send nothing')
})

t.test('setMyCommands, getMyCommands and deleteMyCommands, per scope and language', async (t) => {
  const emulator = await startFakeTelegram(t)
  const telegram = client(emulator)
  const commands = [{ command: 'register', description: 'Link your account: /register <username> <token>' }]
  t.same(await telegram.getMyCommands(), [])
  t.ok(await telegram.setMyCommands(commands))
  t.ok(await telegram.setMyCommands([{ command: 'registrieren', description: 'Konto verknüpfen' }], { language_code: 'de' }))
  t.ok(await telegram.setMyCommands([{ command: 'help', description: 'Groups' }], { scope: { type: 'all_group_chats' } }))
  t.same(await telegram.getMyCommands(), commands)
  t.same((await telegram.getMyCommands({ language_code: 'de' })).map((command) => command.command), ['registrieren'])
  t.same((await telegram.getMyCommands({ scope: { type: 'all_group_chats' } })).map((command) => command.command), ['help'])
  t.ok(await telegram.deleteMyCommands())
  t.same(await telegram.getMyCommands(), [])
  t.same((await telegram.getMyCommands({ language_code: 'de' })).length, 1)

  const refusals: Array<[Record<string, unknown>, string]> = [
    [{ commands: [{ command: 'Register', description: 'x' }] }, 'Bad Request: BOT_COMMAND_INVALID'],
    [{ commands: [{ command: 'register', description: ' ' }] }, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID'],
    [{ commands: [null] }, 'Bad Request: BOT_COMMAND_INVALID'],
    [{}, "Bad Request: can't parse commands JSON object"],
    [{ commands, scope: { chat_id: 1 } }, "Bad Request: can't parse BotCommandScope JSON object"]
  ]
  for (const [params, description] of refusals) {
    t.same((await json(emulator, 'setMyCommands', params)).body, { ok: false, error_code: 400, description })
  }
})

t.test('webhook delivery', async (t) => {
  t.test('POSTs the update as JSON with the secret header, and counts only a 2xx as delivered', async (t) => {
    const emulator = await startFakeTelegram(t)
    const receiver = await startWebhookReceiver(t)
    const queued = emulator.sendUserMessage({ from: alice, text: 'sent before the webhook existed' })
    await client(emulator).setWebhook(receiver.url, { secret_token: 'the-secret_1' })
    const live = emulator.sendUserMessage({ from: alice, text: 'sent after' })
    await emulator.waitUntilDelivered()
    t.same(receiver.requests.map((request) => request.update), [queued, live])
    for (const request of receiver.requests) {
      t.equal(request.headers['x-telegram-bot-api-secret-token'], 'the-secret_1')
      t.equal(request.headers['content-type'], 'application/json')
    }
    t.equal(emulator.webhook.pending_update_count, 0)

    await client(emulator).setWebhook(receiver.url)
    emulator.sendUserMessage({ from: alice, text: 'no secret' })
    await emulator.waitUntilDelivered()
    t.notOk('x-telegram-bot-api-secret-token' in (receiver.requests.at(-1)?.headers ?? {}), 'no secret set: no header')
  })

  t.test('a non-2xx answer is retried with a doubling, capped delay until a 2xx; the error is reported meanwhile', async (t) => {
    const emulator = await startFakeTelegram(t, { webhookRetry: { initialDelayMs: 20, maxDelayMs: 50 } })
    const arrivals: number[] = []
    const answers: WebhookAnswer[] = [{ status: 503 }, { status: 502 }, { status: 500 }, { status: 404 }, { status: 204 }]
    // The second attempt is held until the state after the first failure is checked: with 20 ms
    // retries, a check polled from outside could meet the second failure's state instead.
    let retried = (): void => {}
    const retry = new Promise<void>((resolve) => { retried = resolve })
    let release = (): void => {}
    const released = new Promise<void>((resolve) => { release = resolve })
    const receiver = await startWebhookReceiver(t, async () => {
      const index = arrivals.push(Date.now()) - 1
      if (index === 1) {
        retried()
        await released
      }
      return answers[index] ?? { status: 200 }
    })
    await client(emulator).setWebhook(receiver.url)
    const update = emulator.sendUserMessage({ from: alice, text: 'retry me' })

    // The emulator records a failure before it schedules the retry: once the retry arrived, the first failure is recorded.
    await retry
    const info = await client(emulator).getWebhookInfo()
    t.equal(info.pending_update_count, 1)
    t.equal(info.last_error_message, 'Wrong response from the webhook: 503 Service Unavailable')
    t.ok(Math.abs((info.last_error_date ?? 0) - Date.now() / 1000) < 5)
    release()

    await emulator.waitUntilDelivered()
    t.equal(receiver.requests.length, 5)
    t.ok(receiver.requests.every((request) => request.update.update_id === update.update_id), 'the same update each time')
    const gaps = arrivals.slice(1).map((at, i) => at - (arrivals[i] ?? 0))
    t.ok(gaps.every((gap, i) => gap >= [20, 40, 50, 50][i]! - 2), `delays 20, 40, 50 (cap), 50 ms at least: ${gaps.join(', ')}`)
    t.equal(emulator.webhook.last_error_message, 'Wrong response from the webhook: 404 Not Found', 'the last error stays reported after the success')
    t.equal(emulator.webhook.pending_update_count, 0)
  })

  t.test('a Retry-After from the webhook sets the next delay (within the cap)', async (t) => {
    const emulator = await startFakeTelegram(t, { webhookRetry: { initialDelayMs: 5, maxDelayMs: 300 } })
    const arrivals: number[] = []
    const receiver = await startWebhookReceiver(t, () => {
      arrivals.push(Date.now())
      return arrivals.length === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 }
    })
    await client(emulator).setWebhook(receiver.url)
    emulator.sendUserMessage({ from: alice, text: 'later please' })
    await emulator.waitUntilDelivered()
    t.ok((arrivals[1] ?? 0) - (arrivals[0] ?? 0) >= 298, 'waited Retry-After, capped at maxDelayMs')
  })

  t.test('connection failures are retried and reported; a new URL starts afresh', async (t) => {
    const emulator = await startFakeTelegram(t)
    await client(emulator).setWebhook(`http://127.0.0.1:${await closedPort()}/hook`)
    emulator.sendUserMessage({ from: alice, text: 'anyone?' })
    await until(() => emulator.webhook.last_error_message !== undefined, 'a connection failure')
    t.equal(emulator.webhook.last_error_message, 'Connection refused')
    const receiver = await startWebhookReceiver(t)
    await client(emulator).setWebhook(receiver.url)
    t.notOk('last_error_message' in emulator.webhook, 'the error belonged to the old URL')
    await emulator.waitUntilDelivered()
    t.equal(receiver.requests.length, 1)
  })

  t.test('a webhook that does not answer in time fails with a timeout', async (t) => {
    // The first call is never answered; the second is answered at once, which 1 s allows with one
    // core busy (50 ms, as before, let the second run out too on a loaded machine).
    const emulator = await startFakeTelegram(t, { webhookTimeoutMs: 1000 })
    let calls = 0
    const receiver = await startWebhookReceiver(t, async () => {
      calls++
      if (calls === 1) await new Promise(() => {})
      return { status: 200 }
    })
    await client(emulator).setWebhook(receiver.url)
    emulator.sendUserMessage({ from: alice, text: 'slow' })
    await emulator.waitUntilDelivered()
    t.equal(emulator.webhook.last_error_message, 'Read timeout expired')
    t.equal(calls, 2)
  })

  t.test('a chat\'s updates are delivered strictly in order while another chat proceeds', async (t) => {
    const emulator = await startFakeTelegram(t, { webhookRetry: { initialDelayMs: 10, maxDelayMs: 20 } })
    let chatABlocked = true
    const receiver = await startWebhookReceiver(t, (request) => ({ status: chatIdOf(request) === alice.id && chatABlocked ? 503 : 200 }))
    await client(emulator).setWebhook(receiver.url)
    const a1 = emulator.sendUserMessage({ from: alice, text: 'a1' })
    const a2 = emulator.sendUserMessage({ from: alice, text: 'a2' })
    const b1 = emulator.sendUserMessage({ from: bob, text: 'b1' })

    await until(() => receiver.requests.filter((request) => request.update.update_id === a1.update_id).length >= 3, 'a1 retried')
    const ids = receiver.requests.map((request) => request.update.update_id)
    t.ok(ids.includes(b1.update_id), 'the other chat was delivered while a1 kept failing')
    t.notOk(ids.includes(a2.update_id), 'a2 waits for a1')
    t.equal(emulator.webhook.pending_update_count, 2)

    chatABlocked = false
    await emulator.waitUntilDelivered()
    const order = receiver.requests.map((request) => request.update.update_id).filter((id) => id !== b1.update_id)
    t.equal(order.at(-1), a2.update_id)
    t.equal(order.indexOf(a2.update_id), order.length - 1, 'a2 once, after every a1 attempt')
  })

  t.test('max_connections bounds the requests in flight', async (t) => {
    const emulator = await startFakeTelegram(t)
    let inFlight = 0
    let most = 0
    const receiver = await startWebhookReceiver(t, async () => {
      most = Math.max(most, ++inFlight)
      await new Promise((resolve) => setTimeout(resolve, 30))
      inFlight--
      return { status: 200 }
    })
    await client(emulator).setWebhook(receiver.url, { max_connections: 1 })
    for (const from of [alice, bob, { id: 6464, first_name: 'Carol' }]) emulator.sendUserMessage({ from, text: 'hi' })
    await emulator.waitUntilDelivered()
    t.equal(receiver.requests.length, 3)
    t.equal(most, 1)
  })

  t.test('a 2xx answer carrying a method runs it, as Telegram does; get* methods and other bodies are ignored', async (t) => {
    const emulator = await startFakeTelegram(t)
    const bodies: unknown[] = [{ method: 'getMe' }, 'not json', [1], { ok: true }, { method: 'sendMessage', chat_id: alice.id, text: 'answered in the response' }]
    let index = 0
    const receiver = await startWebhookReceiver(t, () => ({ status: 200, body: bodies[index++] }))
    await client(emulator).setWebhook(receiver.url)
    for (let i = 0; i < bodies.length; i++) {
      emulator.sendUserMessage({ from: alice, text: `m${i}` })
      await emulator.waitUntilDelivered()
    }
    const [reply] = await emulator.waitForBotMessages(alice.id, 1)
    t.equal(reply?.text, 'answered in the response')
    t.same(emulator.calls.filter((call) => call.source === 'webhook-response').map((call) => call.method), ['sendMessage'])
    t.same(receiver.requests.length, bodies.length)
  })

  t.test('after deleteWebhook, undelivered updates wait for getUpdates', async (t) => {
    const emulator = await startFakeTelegram(t)
    const receiver = await startWebhookReceiver(t, () => ({ status: 500 }))
    const telegram = client(emulator)
    await telegram.setWebhook(receiver.url)
    const update = emulator.sendUserMessage({ from: alice, text: 'stuck' })
    await until(() => receiver.requests.length >= 1, 'a delivery attempt')
    await telegram.deleteWebhook()
    t.same((await telegram.getUpdates(0, 100, 0, undefined)).map((item) => item.update_id), [update.update_id])
  })
})

t.test('bot_command and mention entities are where Telegraf looks for them (UTF-16 offsets)', async (t) => {
  const emulator = await startFakeTelegram(t)
  const entities = (text: string): unknown => emulator.sendUserMessage({ from: alice, text }).message.entities
  t.same(entities('/register demo demo-token'), [{ type: 'bot_command', offset: 0, length: 9 }])
  t.same(entities('/register@local_register_bot demo demo-token'), [{ type: 'bot_command', offset: 0, length: 28 }])
  t.same(entities('привет /start'), [{ type: 'bot_command', offset: 7, length: 6 }])
  t.same(entities('😀 /start ok'), [{ type: 'bot_command', offset: 3, length: 6 }])
  t.same(entities('/start 😀 @alice_w'), [{ type: 'bot_command', offset: 0, length: 6 }, { type: 'mention', offset: 10, length: 8 }])
  t.equal(entities('no command, a/b, /x/y, mail@alice_w.test'), undefined)
  t.equal(emulator.sendUserMessage({ from: alice, text: '  /start  ' }).message.text, '/start', 'text is trimmed as Telegram does')

  const bot = new Telegraf(emulator.token, { telegram: { apiRoot: emulator.url } })
  bot.botInfo = emulator.bot
  bot.command('register', async (ctx) => { await ctx.reply(`register: ${ctx.payload}`) })
  for (const text of ['/register@local_register_bot héllo wörld', '/register@other_bot nope', 'hi /register not first', '/register ok 😀']) {
    const update = emulator.sendUserMessage({ chat: group, from: bob, text })
    await bot.handleUpdate(update as unknown as Parameters<typeof bot.handleUpdate>[0])
  }
  t.same(emulator.botMessages(group.id).map((message) => message.text), ['register: héllo wörld', 'register: ok 😀'])
})

t.test('the user side checks its input', async (t) => {
  const emulator = await startFakeTelegram(t)
  const refused = (input: unknown, pattern: RegExp): void => {
    let thrown: unknown
    try {
      emulator.sendUserMessage(input as never)
    } catch (error) {
      thrown = error
    }
    t.ok(thrown instanceof EmulatorInputError, `refused: ${String(pattern)}`)
    t.match((thrown as Error | undefined)?.message, pattern)
  }
  refused({ chat: { id: 1, type: 'private' }, from: alice, text: 'x' }, /chat\.id must equal from\.id/)
  refused({ chat: { id: 5, type: 'group' }, from: alice, text: 'x' }, /negative chat\.id/)
  refused({ chat: { type: 'supergroup' }, from: alice, text: 'x' }, /negative chat\.id/)
  refused({ from: { id: 1 }, text: 'x' }, /first_name/)
  refused({ from: alice, text: '' }, /text/)
  refused({ from: alice, text: '   ' }, /text is empty/)
  refused({ from: alice, text: 'x', reply_to_message_id: 99 }, /message 99 is not in chat/)
  refused({ from: { ...alice, username: 'a b' }, text: 'x' }, /username/)
  emulator.sendUserMessage({ chat: group, from: bob, text: 'x' })
  refused({ chat: { ...group, type: 'supergroup' }, from: bob, text: 'x' }, /is a group chat, not a supergroup chat/)

  const titled = emulator.sendUserMessage({ chat: { id: group.id, type: 'group' }, from: bob, text: 'keeps the title' })
  t.equal(titled.message.chat.title, 'Team')
  t.equal(emulator.sendUserMessage({ chat: { id: -42, type: 'group' }, from: bob, text: 'x' }).message.chat.title, 'Local group')
  const first = emulator.sendUserMessage({ from: alice, text: 'first' })
  const reply = emulator.sendUserMessage({ from: alice, text: 'reply', reply_to_message_id: first.message.message_id })
  t.equal(reply.message.reply_to_message?.text, 'first')
  t.match(emulator.sendUserMessage({ chat: { id: alice.id, type: 'private' }, from: { ...alice, last_name: 'W', language_code: 'en' }, text: 'x' }).message.chat,
    { id: alice.id, type: 'private', first_name: 'Alice', last_name: 'W', username: 'alice_w' })
})

t.test('captions, senders on behalf of a chat, automatic forwards and bots, as Telegram writes them', async (t) => {
  const emulator = await startFakeTelegram(t)
  const refused = (input: unknown, pattern: RegExp): void => {
    t.throws(() => emulator.sendUserMessage(input as never), { name: 'EmulatorInputError', message: pattern }, String(pattern))
  }
  const channel = { id: -1005550000, type: 'channel' as const, title: 'News' }
  const captioned = emulator.sendUserMessage({ chat: group, from: bob, caption: ' /register@some_bot a b ' })
  t.match(captioned.message, { caption: '/register@some_bot a b', caption_entities: [{ type: 'bot_command', offset: 0, length: 18 }], photo: [{ file_id: 'emulator-photo' }] })
  t.notOk('text' in captioned.message, 'a captioned photo has no text')
  t.notOk('caption_entities' in emulator.sendUserMessage({ chat: group, from: bob, caption: 'holiday' }).message)

  const anonymous = emulator.sendUserMessage({ chat: group, from: { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' }, sender_chat: { ...group }, text: 'hi' })
  t.match(anonymous.message, { from: { id: 1087968824, is_bot: true }, sender_chat: { id: group.id, type: 'group' } })
  const forward = emulator.sendUserMessage({ chat: supergroup, from: { id: 777000, first_name: 'Telegram' }, sender_chat: channel, is_automatic_forward: true, text: 'post' })
  t.match(forward.message, { from: { id: 777000, is_bot: false }, sender_chat: channel, is_automatic_forward: true })
  t.same(emulator.botMessages(group.id), [], 'a bot other than ours is not the bot')

  refused({ from: alice }, /give either text or caption/)
  refused({ from: alice, text: 'a', caption: 'b' }, /give either text or caption/)
  refused({ from: alice, caption: '  ' }, /caption is empty/)
  refused({ from: alice, sender_chat: channel, text: 'x' }, /exist in groups only/)
  refused({ from: alice, is_automatic_forward: true, text: 'x' }, /exist in groups only/)
  refused({ chat: group, from: alice, is_automatic_forward: true, text: 'x' }, /needs its sender_chat/)
  refused({ chat: group, from: alice, sender_chat: { id: 5, type: 'channel', title: 'x' }, text: 'x' }, /sender_chat/)
})

t.test('failNext after some calls: those go through, then the faults', async (t) => {
  const emulator = await startFakeTelegram(t)
  emulator.sendUserMessage({ from: alice, text: 'hi' })
  emulator.failNext('sendMessage', { error_code: 502 }, 1, 2)
  const telegram = client(emulator)
  await telegram.sendMessage(alice.id, 'one')
  await telegram.sendMessage(alice.id, 'two')
  t.equal((await telegramError(telegram.sendMessage(alice.id, 'three'))).code, 502)
  await telegram.sendMessage(alice.id, 'four')
  t.same(emulator.callsOf('sendMessage').map((call) => call.status), [200, 200, 502, 200])
})

t.test('the record of what the local runtime did with an update, over HTTP for the chat CLI', async (t) => {
  const emulator = await startFakeTelegram(t)
  const status = async (updateId: number): Promise<unknown> => await (await fetch(`${emulator.url}/emulator/updates/${updateId}`)).json()
  const { update_id: updateId } = emulator.sendUserMessage({ from: alice, text: 'hi' })
  t.same(await status(updateId), { update_id: updateId, pending: true, attempts: [] }, 'no webhook: still queued')
  emulator.reportProcessing(updateId, 'failed')
  emulator.reportProcessing(updateId, 'processed')
  t.match(await status(updateId), { pending: true, attempts: [{ outcome: 'failed' }, { outcome: 'processed' }] })
  t.same(emulator.updateStatus(12345), { update_id: 12345, pending: false, attempts: [] }, 'an unknown update')
  t.equal((await fetch(`${emulator.url}/emulator/updates/x`)).status, 400)
})

t.test('deliverRaw delivers a hand-made update as is, as often as asked', async (t) => {
  const emulator = await startFakeTelegram(t)
  const receiver = await startWebhookReceiver(t)
  await client(emulator).setWebhook(receiver.url)
  const update: TgUpdate = {
    update_id: 31337,
    message: { message_id: 50, date: 1, chat: { id: -300, type: 'group', title: 'Raw' }, from: { id: 9, is_bot: false, first_name: 'R' }, text: '/register x y' }
  }
  emulator.deliverRaw(update)
  emulator.deliverRaw(update)
  await emulator.waitUntilDelivered()
  t.same(receiver.requests.map((request) => request.update), [update, update])
  t.equal(emulator.chatMessages(-300).length, 1, 'its message is recorded once')
  t.equal((await client(emulator).sendMessage(-300, 'known chat')).message_id, 51, 'its chat is known; ids continue after it')
  emulator.deliverRaw({ update_id: 31338, callback_query: { id: 'q', from: { id: 9 } } })
  await emulator.waitUntilDelivered()
  t.equal(receiver.requests.length, 3)
  t.throws(() => { emulator.deliverRaw({ update_id: -1 }) }, EmulatorInputError)
  t.throws(() => { emulator.deliverRaw({ update_id: 1.5 }) }, EmulatorInputError)
})

t.test('the user side over HTTP, for the chat CLI', async (t) => {
  const emulator = await startFakeTelegram(t)
  const telegram = client(emulator)
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number, body: Record<string, unknown> }> => {
    const response = await fetch(`${emulator.url}${path}`, body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  }

  const info = await call('GET', '/emulator/info')
  t.same(info.body, { botId: emulator.botId, botUsername: emulator.botUsername, botFirstName: emulator.bot.first_name })
  t.notOk(JSON.stringify(info.body).includes(emulator.token.split(':')[1] ?? ''), 'never the token')

  const sent = await call('POST', '/emulator/messages', { from: alice, text: '/register alice tok' })
  t.equal(sent.status, 200)
  t.match(sent.body, { update: { message: { text: '/register alice tok', chat: { id: alice.id } } } })
  t.equal((await call('POST', '/emulator/messages', { from: alice, text: '' })).status, 400)
  const mismatch = await call('POST', '/emulator/messages', { chat: { id: 7, type: 'private' }, from: alice, text: 'x' })
  t.same([mismatch.status, mismatch.body.message], [400, 'invalid user message: in a private chat, chat.id must equal from.id'])

  t.same((await call('GET', `/emulator/chats/${alice.id}/messages`)).body, { messages: [], deleted_message_ids: [] })
  const started = Date.now()
  let waiting = handlerWaiting(CHAT_POLL_ROUTE)
  const polled = call('GET', `/emulator/chats/${alice.id}/messages?after=1&wait=60`)
  await waiting
  await telegram.sendMessage(alice.id, 'Registration successful! Welcome alice')
  const replies = await polled
  t.ok(Date.now() - started < 30_000, 'answered on arrival, not after the 60 s wait')
  t.match(replies.body, { messages: [{ message_id: 2, text: 'Registration successful! Welcome alice' }], deleted_message_ids: [] })
  t.same((await call('GET', `/emulator/chats/${alice.id}/messages?after=2&wait=0.05`)).body, { messages: [], deleted_message_ids: [] }, 'wait ends empty')

  waiting = handlerWaiting(CHAT_POLL_ROUTE)
  const deletion = call('GET', `/emulator/chats/${alice.id}/messages?after=2&wait=5&known_deleted=0`)
  await waiting
  await telegram.deleteMessage(alice.id, 1)
  t.same((await deletion).body, { messages: [], deleted_message_ids: [1] }, 'a new deletion ends the wait')

  t.equal((await call('GET', `/emulator/chats/${alice.id}/messages?wait=61`)).status, 400)
  t.equal((await call('GET', '/emulator/chats/abc/messages')).status, 400)

  await call('POST', '/emulator/messages', { chat: group, from: bob, text: 'delete me' })
  t.same((await call('PUT', `/emulator/chats/${group.id}/admin`, { can_delete_messages: true })).body, { ok: true })
  t.ok(await telegram.deleteMessage(group.id, 1))
  t.equal((await call('PUT', `/emulator/chats/${group.id}/admin`, {})).status, 400)
})

t.test('waitForBotMessages and waitUntilDelivered explain what is missing', async (t) => {
  const emulator = await startFakeTelegram(t)
  const telegram = client(emulator)
  emulator.sendUserMessage({ from: alice, text: 'hi' })
  const waiting = emulator.waitForBotMessages(alice.id, 2, 2000)
  await telegram.sendMessage(alice.id, 'first')
  await telegramError(telegram.sendMessage(alice.id, '*', { parse_mode: 'MarkdownV2' }))
  await telegram.sendMessage(alice.id, 'second')
  t.same((await waiting).map((message) => message.text), ['first', 'second'])

  await t.rejects(emulator.waitForBotMessages(alice.id, 3, 50),
    /expected 3 bot message\(s\) in chat 4242 within 50 ms; got 2: \["first","second"\]; last rejected calls: sendMessage → 400 Bad Request: can't parse entities.*; pending updates: 1/)
  await t.rejects(emulator.waitUntilDelivered(50), /1 update\(s\) still pending after 50 ms \(no webhook is set\)/)
  await client(emulator).setWebhook(`http://127.0.0.1:${await closedPort()}/hook`)
  await until(() => emulator.webhook.last_error_message !== undefined, 'a failure')
  await t.rejects(emulator.waitUntilDelivered(20), /still pending after 20 ms; last webhook error: Connection refused/)
  await t.rejects(emulator.waitForBotMessages(alice.id, 3, 20), /last webhook error: Connection refused/)
})

t.test('close() ends long polls and retries, and never logs the token', async (t) => {
  const lines: string[] = []
  const emulator = await startTelegramEmulator({ webhookRetry: { initialDelayMs: 5, maxDelayMs: 10 }, log: (line) => lines.push(line) })
  const telegram = client(emulator)
  const { poll: polled } = await waitingLongPoll(async () => await telegram.getUpdates(30, 100, 0, undefined))
  const chatPollWaiting = handlerWaiting(CHAT_POLL_ROUTE)
  const chatPoll = fetch(`${emulator.url}/emulator/chats/1/messages?wait=30`).then(async (response) => await response.json())
  await chatPollWaiting
  const waiting = emulator.waitForBotMessages(1, 1, 30_000).catch((error: Error) => error.message)
  const started = Date.now()
  await emulator.close()
  t.same(await polled, [], 'the long poll answers [] at once')
  t.match(await waiting, /within 30000 ms \(the emulator closed\)/)
  t.same(await chatPoll, { messages: [], deleted_message_ids: [] })
  t.ok(Date.now() - started < 15_000, 'all ended at the close, well before their 30 s')
  await emulator.close()

  const failing = await startTelegramEmulator({ webhookRetry: { initialDelayMs: 5, maxDelayMs: 10 }, log: (line) => lines.push(line) })
  const receiver = await startWebhookReceiver(t, () => ({ status: 500 }))
  await client(failing).setWebhook(receiver.url, { secret_token: 'hidden_secret' })
  failing.sendUserMessage({ from: alice, text: '/register alice credential-123' })
  await until(() => receiver.requests.length >= 2, 'retries')
  await failing.close()
  const attempts = receiver.requests.length
  await new Promise((resolve) => setTimeout(resolve, 60))
  t.equal(receiver.requests.length, attempts, 'no retry after close')
  t.ok(lines.some((line) => line.includes('not delivered (Wrong response from the webhook: 500 Internal Server Error)')))
  for (const secret of [emulator.token, failing.token, 'hidden_secret', 'credential-123']) {
    t.notOk(lines.some((line) => line.includes(secret)), 'no log line carries a secret')
  }
})
