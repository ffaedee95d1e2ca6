import type { FastifyInstance, InjectOptions } from 'fastify'
import t, { type Test } from 'tap'
import { deriveWebhookSecret } from '../../src/config.js'
import { WEBHOOK_BODY_LIMIT_BYTES } from '../../src/routes/telegram-webhook.js'
import { buildTestApp, testConfig, TEST_BOT_TOKEN } from '../helper.js'
import { capturedLogLines, logLinesWithMessage } from '../support/log-capture.js'
import { createFifoQueue, drainQueue, sqsClient, startSqsEmulator } from '../support/sqs.js'
import { closedPort } from '../support/wait.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

const secret = deriveWebhookSecret(TEST_BOT_TOKEN)
const sqs = await startSqsEmulator()
t.teardown(async () => { await sqs.stop() })
const client = sqsClient(sqs)

/** A text no log line may ever contain: it stands for a /register credential. */
const SECRET_TEXT = '/register alice 555000111:FAKE-credential_do-not-log-0123456789'

const privateMessage = {
  update_id: 901,
  message: { message_id: 7, date: 1, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'A' }, text: 'hello' }
}

async function appWithQueue (t: Test, name: string): Promise<{ app: FastifyInstance, queueUrl: string }> {
  const queueUrl = createFifoQueue(sqs, name)
  const app = await buildTestApp(t, testConfig({ QUEUE_URL: queueUrl, SQS_ENDPOINT: sqs.address }))
  return { app, queueUrl }
}

/** A webhook call as Telegram makes it; `headers` replace the secret header when given. */
async function post (app: FastifyInstance, payload: InjectOptions['payload'], headers: Record<string, string> = { 'x-telegram-bot-api-secret-token': secret }) {
  return await app.inject({ method: 'POST', url: '/telegram/webhook', headers: { 'content-type': 'application/json', ...headers }, payload })
}

t.test('a valid update is queued once with its group id, dedup id, type and body', async (t) => {
  const { app, queueUrl } = await appWithQueue(t, 'valid')
  const response = await post(app, privateMessage)
  t.equal(response.statusCode, 200)
  t.equal(response.body, '{"ok":true}', 'the answer is constant and has no `method` field')
  t.match(response.headers['content-type'], /^application\/json/)
  const messages = await drainQueue(client, queueUrl)
  t.equal(messages.length, 1)
  t.equal(messages[0]?.Attributes?.MessageGroupId, 'user-42')
  t.equal(messages[0]?.Attributes?.MessageDeduplicationId, '901')
  t.equal(messages[0]?.MessageAttributes?.UpdateType?.StringValue, 'message')
  t.equal(messages[0]?.MessageAttributes?.UpdateType?.DataType, 'String')
  t.same(JSON.parse(messages[0]?.Body ?? ''), privateMessage)
})

t.test('the secret header', async (t) => {
  const { app, queueUrl } = await appWithQueue(t, 'secret')
  const wrongSameLength = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A')
  t.equal(wrongSameLength.length, secret.length)

  const cases: Array<[string, Record<string, string>]> = [
    ['missing', {}],
    ['empty', { 'x-telegram-bot-api-secret-token': '' }],
    ['wrong', { 'x-telegram-bot-api-secret-token': 'nope' }],
    ['wrong, of the same length', { 'x-telegram-bot-api-secret-token': wrongSameLength }],
    ['the bot token instead of the secret', { 'x-telegram-bot-api-secret-token': TEST_BOT_TOKEN.replace(':', '_') }],
    ['the secret with a suffix', { 'x-telegram-bot-api-secret-token': `${secret}x` }]
  ]
  for (const [name, headers] of cases) {
    const response = await post(app, privateMessage, headers)
    t.equal(response.statusCode, 401, `${name} secret → 401`)
    t.same(response.json(), { error: 'Unauthorized', message: 'missing or wrong X-Telegram-Bot-Api-Secret-Token' }, `${name} secret: the body names no value`)
  }

  // The check runs in onRequest, before the body is read: no other answer leaks past it.
  const oversized = await post(app, JSON.stringify({ update_id: 1, pad: 'x'.repeat(WEBHOOK_BODY_LIMIT_BYTES) }), { 'x-telegram-bot-api-secret-token': 'nope' })
  t.equal(oversized.statusCode, 401, 'an oversized body with a wrong secret → 401, not 413')
  const notJson = await post(app, '{nope', { 'x-telegram-bot-api-secret-token': 'nope' })
  t.equal(notJson.statusCode, 401, 'a broken body with a wrong secret → 401, not 400')
  const invalid = await post(app, { update_id: '77' }, {})
  t.equal(invalid.statusCode, 401, 'an invalid update without a secret → 401, not 400')
  const textPlain = await app.inject({ method: 'POST', url: '/telegram/webhook', headers: { 'content-type': 'text/plain' }, payload: 'hi' })
  t.equal(textPlain.statusCode, 401, 'a foreign content type without a secret → 401, not 415')

  t.same(await drainQueue(client, queueUrl), [], 'nothing was queued')
  t.notOk(capturedLogLines.some((line) => line.includes(secret)), 'the expected secret never reaches a log line')
  t.notOk(capturedLogLines.some((line) => line.includes(wrongSameLength)), 'a received secret never reaches a log line')

  const right = await post(app, privateMessage, { 'X-Telegram-Bot-Api-Secret-Token': secret })
  t.equal(right.statusCode, 200, 'the right secret (any header case) is accepted')
  t.equal((await drainQueue(client, queueUrl)).length, 1)
})

t.test('malformed bodies get 400 with a reason and queue nothing', async (t) => {
  const { app, queueUrl } = await appWithQueue(t, 'malformed')
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', '{"update_id": 1,', /not valid JSON/],
    ['empty', '', /cannot be empty/],
    ['update_id as a string', '{"update_id":"77","message":{"text":"x"}}', /update_id/],
    ['update_id missing', '{"message":{"message_id":1}}', /update_id/],
    ['update_id negative', '{"update_id":-1}', /update_id/],
    ['update_id a float', '{"update_id":1.5}', /update_id/],
    ['update_id null', '{"update_id":null}', /update_id/],
    ['update_id true', '{"update_id":true}', /update_id/],
    ['an array', '[{"update_id":1}]', /body/],
    ['null', 'null', /body/],
    ['a number', '77', /body/],
    ['a string', '"77"', /body/],
    ['a prototype-poisoning key', '{"update_id":1,"__proto__":{"x":1}}', /not valid JSON/]
  ]
  for (const [name, payload, reason] of cases) {
    const response = await post(app, payload)
    t.equal(response.statusCode, 400, `${name} → 400`)
    const body = response.json<{ error: string, message: string }>()
    t.equal(body.error, 'Bad Request', name)
    t.match(body.message, reason, `${name}: the reason says what is wrong`)
    t.notMatch(body.message, /77|\[|\{/, `${name}: the reason does not echo the value`)
  }
  t.same(await drainQueue(client, queueUrl), [], 'nothing was queued')
})

t.test('the body is queued exactly as received, unknown fields and update types included', async (t) => {
  const { app, queueUrl } = await appWithQueue(t, 'as-received')
  // Escapes, number forms and key order that a parse + stringify round trip would change.
  const withExtras = '{"update_id":950,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"Zo\\u00e9"},' +
    '"text":"see https:\\/\\/example.com","future_field":{"nested":[1,2.50,null,1e2]}},"brand_new_top_level":true}'
  const unknownType = '{"update_id":951,"some_future_update":{"from":{"id":77},"payload":{"deep":[true]}}}'
  const unknownWithoutSender = '{"update_id":952, "another_future_update": {"x": 1}}'
  for (const payload of [withExtras, unknownType, unknownWithoutSender]) {
    const response = await post(app, payload)
    t.equal(response.statusCode, 200)
  }
  const messages = await drainQueue(client, queueUrl)
  const byDedup = new Map(messages.map((message) => [message.Attributes?.MessageDeduplicationId, message]))
  t.equal(byDedup.get('950')?.Body, withExtras, 'unknown fields kept, byte for byte')
  t.equal(byDedup.get('951')?.Body, unknownType, 'an unknown update type kept, byte for byte')
  t.equal(byDedup.get('952')?.Body, unknownWithoutSender, 'whitespace kept too')
  t.equal(byDedup.get('950')?.MessageAttributes?.UpdateType?.StringValue, 'message')
  t.equal(byDedup.get('951')?.MessageAttributes?.UpdateType?.StringValue, 'some_future_update')
  t.equal(byDedup.get('951')?.Attributes?.MessageGroupId, 'user-77')
  t.equal(byDedup.get('952')?.Attributes?.MessageGroupId, 'update-952')
})

t.test('the body limit and the content type', async (t) => {
  const { app, queueUrl } = await appWithQueue(t, 'limits')
  const padding = 'x'.repeat(WEBHOOK_BODY_LIMIT_BYTES)
  const tooLarge = await post(app, JSON.stringify({ update_id: 3, message: { text: padding } }))
  t.equal(tooLarge.statusCode, 413, 'over the limit → 413')
  t.same(tooLarge.json(), { error: 'Payload Too Large', message: 'Request body is too large' })

  const justBelow = JSON.stringify({ update_id: 4, message: { from: { id: 1 } }, pad: '' })
  const fitting = justBelow.replace('"pad":""', `"pad":"${'y'.repeat(WEBHOOK_BODY_LIMIT_BYTES - justBelow.length)}"`)
  t.equal(Buffer.byteLength(fitting), WEBHOOK_BODY_LIMIT_BYTES)
  t.equal((await post(app, fitting)).statusCode, 200, 'exactly at the limit → accepted')

  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
    const response = await post(app, JSON.stringify(privateMessage), { 'x-telegram-bot-api-secret-token': secret, 'content-type': contentType })
    t.equal(response.statusCode, 415, `${contentType} → 415`)
    t.same(response.json(), { error: 'Unsupported Media Type', message: 'Unsupported Media Type' }, `${contentType}: the body names no value`)
  }
  const withCharset = await post(app, JSON.stringify({ ...privateMessage, update_id: 5 }), { 'x-telegram-bot-api-secret-token': secret, 'content-type': 'application/json; charset=utf-8' })
  t.equal(withCharset.statusCode, 200, 'application/json with a charset is JSON')

  const noContentType = await app.inject({ method: 'POST', url: '/telegram/webhook', headers: { 'x-telegram-bot-api-secret-token': secret }, payload: Buffer.from(JSON.stringify(privateMessage)) })
  t.equal(noContentType.statusCode, 415, 'a body without a content type → 415')

  const messages = await drainQueue(client, queueUrl)
  t.same(messages.map((message) => message.Attributes?.MessageDeduplicationId).sort(), ['4', '5'], 'only the accepted updates were queued')
})

t.test('the message group: the sender, else the chat, else the update', async (t) => {
  const { app, queueUrl } = await appWithQueue(t, 'groups')
  const chat = { id: -1001234567890, type: 'supergroup', title: 'G' }
  const user = { id: 4242, is_bot: false, first_name: 'U' }
  const message = { message_id: 3, date: 1, chat, from: user, text: 'hi' }
  const memberUpdate = { chat, from: user, date: 1, old_chat_member: { status: 'left', user }, new_chat_member: { status: 'member', user } }
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ update_id: 1001, message }, 'message', 'user-4242'],
    [{ update_id: 1002, edited_message: { ...message, edit_date: 2 } }, 'edited_message', 'user-4242'],
    [{ update_id: 1003, callback_query: { id: 'q', from: { ...user, id: 77 }, chat_instance: 'c', data: 'd', message } }, 'callback_query', 'user-77'],
    [{ update_id: 1004, my_chat_member: memberUpdate }, 'my_chat_member', 'user-4242'],
    [{ update_id: 1005, chat_member: { ...memberUpdate, from: { ...user, id: 9 } } }, 'chat_member', 'user-9'],
    [{ update_id: 1006, inline_query: { id: 'i', from: user, query: 'q', offset: '' } }, 'inline_query', 'user-4242'],
    [{ update_id: 1007, message_reaction: { chat, message_id: 3, user: { ...user, id: 11 }, date: 1, old_reaction: [], new_reaction: [] } }, 'message_reaction', 'user-11'],
    [{ update_id: 1008, poll_answer: { poll_id: 'p', user: { ...user, id: 12 }, option_ids: [0] } }, 'poll_answer', 'user-12'],
    [{ update_id: 1009, channel_post: { message_id: 1, date: 1, chat: { id: -1009, type: 'channel' }, sender_chat: { id: -1009, type: 'channel' }, text: 'post' } }, 'channel_post', 'chat--1009'],
    [{ update_id: 1010, poll: { id: 'p', question: 'q', options: [], total_voter_count: 0, is_closed: false, is_anonymous: true, type: 'regular', allows_multiple_answers: false } }, 'poll', 'update-1010'],
    [{ update_id: 1011, message_reaction_count: { chat, message_id: 3, date: 1, reactions: [] } }, 'message_reaction_count', `chat-${chat.id}`],
    [{ update_id: 1012, poll_answer: { poll_id: 'p', voter_chat: { id: -1007, type: 'channel' }, option_ids: [1] } }, 'poll_answer', 'chat--1007'],
    [{ update_id: 1013, chat_join_request: { chat, from: { ...user, id: 13 }, user_chat_id: 13, date: 1 } }, 'chat_join_request', 'user-13'],
    [{ update_id: 1014 }, 'unknown', 'update-1014'],
    [{ update_id: 1015, removed_chat_boost: { chat, boost_id: 'b', remove_date: 1, source: { source: 'premium' } } }, 'removed_chat_boost', `chat-${chat.id}`],
    [{ update_id: 1017, callback_query: { id: 'q', chat_instance: 'c', message: { message_id: 5, date: 1, chat: { id: 55, type: 'private' } } } }, 'callback_query', 'chat-55'],
    [{ update_id: 1018, some_future_update: 'not an object' }, 'some_future_update', 'update-1018'],
    [{ update_id: 1016, message: { message_id: 3, date: 1, chat: { id: 'not-a-number' }, from: { id: 2 ** 60 } } }, 'message', 'update-1016']
  ]
  for (const [update] of cases) t.equal((await post(app, update)).statusCode, 200, `update ${String(update.update_id)} accepted`)
  const messages = await drainQueue(client, queueUrl)
  t.equal(messages.length, cases.length)
  const byDedup = new Map(messages.map((queued) => [queued.Attributes?.MessageDeduplicationId, queued]))
  for (const [update, type, groupId] of cases) {
    const queued = byDedup.get(String(update.update_id))
    t.equal(queued?.Attributes?.MessageGroupId, groupId, `${type}: group ${groupId}`)
    t.equal(queued?.MessageAttributes?.UpdateType?.StringValue, type, `${type}: UpdateType attribute`)
  }
})

t.test('the same update delivered twice is queued once', async (t) => {
  const { app, queueUrl } = await appWithQueue(t, 'dedup')
  const update = { ...privateMessage, update_id: 7001 }
  t.equal((await post(app, update)).statusCode, 200)
  t.equal((await post(app, update)).statusCode, 200, 'the repeat is acknowledged, so Telegram stops retrying')
  const messages = await drainQueue(client, queueUrl)
  t.equal(messages.length, 1)
  t.equal(messages[0]?.Attributes?.MessageDeduplicationId, '7001')
})

t.test('a queue outage answers 503 with Retry-After and no details', async (t) => {
  const port = await closedPort()
  const app = await buildTestApp(t, testConfig({ QUEUE_URL: `http://127.0.0.1:${port}/000000000000/down.fifo`, SQS_ENDPOINT: `http://127.0.0.1:${port}` }))
  const before = capturedLogLines.length
  const response = await post(app, { update_id: 8001, message: { message_id: 1, date: 1, chat: { id: 3, type: 'private' }, from: { id: 3 }, text: SECRET_TEXT } })
  t.equal(response.statusCode, 503)
  t.equal(response.headers['retry-after'], '5')
  t.same(response.json(), { error: 'Service Unavailable' })
  t.notMatch(response.body, /ECONNREFUSED|127\.0\.0\.1|down\.fifo|queue|sqs/i, 'no internal details')
  const lines = capturedLogLines.slice(before)
  t.ok(lines.some((line) => line.includes('"request failed"') && line.includes('QueueUnavailableError')), 'the failure is logged with its cause')
  t.notOk(lines.some((line) => line.includes('"update queued"')), 'nothing is reported as queued')
})

t.test('one log line per accepted update, and never the message text', async (t) => {
  const { app, queueUrl } = await appWithQueue(t, 'logs')
  const updates = [
    { update_id: 9001, message: { message_id: 1, date: 1, chat: { id: 31, type: 'private' }, from: { id: 31 }, text: SECRET_TEXT } },
    { update_id: 9002, edited_message: { message_id: 1, date: 1, chat: { id: -31, type: 'group' }, from: { id: 32 }, text: SECRET_TEXT } },
    { update_id: 9003, callback_query: { id: 'q', from: { id: 33 }, data: SECRET_TEXT, message: { message_id: 2, chat: { id: 33 }, text: SECRET_TEXT } } },
    { update_id: 9004, channel_post: { message_id: 1, date: 1, chat: { id: -34, type: 'channel' }, caption: SECRET_TEXT } }
  ]
  for (const update of updates) t.equal((await post(app, update)).statusCode, 200)
  t.equal((await post(app, JSON.stringify({ update_id: '9005', message: { text: SECRET_TEXT } }))).statusCode, 400, 'a rejected update')
  t.equal((await post(app, JSON.stringify(updates[0]), { 'x-telegram-bot-api-secret-token': 'nope' })).statusCode, 401, 'an unauthenticated one')

  const queuedLines = logLinesWithMessage('update queued')
  const expected: Array<[number, string, string]> = [[9001, 'message', 'user-31'], [9002, 'edited_message', 'user-32'], [9003, 'callback_query', 'user-33'], [9004, 'channel_post', 'chat--34']]
  for (const [updateId, updateType, groupId] of expected) {
    const lines = queuedLines.filter((line) => line.updateId === updateId)
    t.equal(lines.length, 1, `one line for update ${updateId}`)
    t.match(lines[0], { level: 30, updateId, updateType, groupId })
  }
  t.equal(logLinesWithMessage('webhook call with a missing or wrong secret token').length > 0, true, 'the 401 is logged')
  t.equal(logLinesWithMessage('request rejected').length > 0, true, 'the 400 is logged')
  t.equal((await drainQueue(client, queueUrl)).length, 4)
  // Runs after every other test of this file has logged (tests here run in order).
  t.notOk(capturedLogLines.some((line) => line.includes('FAKE-credential')), 'no message text in any captured line')
  t.notOk(capturedLogLines.some((line) => line.includes('555000111')), 'not even a part of it')
})

t.test('without a webhook secret or a token the app does not start', async (t) => {
  await t.rejects(buildTestApp(t, testConfig({ TELEGRAM_BOT_TOKEN: undefined })), { name: 'ConfigError', message: 'TELEGRAM_WEBHOOK_SECRET (or TELEGRAM_BOT_TOKEN) is required' })
})

t.test('an explicit webhook secret is the one expected', async (t) => {
  const queueUrl = createFifoQueue(sqs, 'explicit-secret')
  const app = await buildTestApp(t, testConfig({ QUEUE_URL: queueUrl, SQS_ENDPOINT: sqs.address, TELEGRAM_WEBHOOK_SECRET: 'explicit_Secret-1' }))
  t.equal((await post(app, privateMessage)).statusCode, 401, 'the derived secret no longer works')
  t.equal((await post(app, privateMessage, { 'x-telegram-bot-api-secret-token': 'explicit_Secret-1' })).statusCode, 200)
  t.equal((await drainQueue(client, queueUrl)).length, 1)
})
