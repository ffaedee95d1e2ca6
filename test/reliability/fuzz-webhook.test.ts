import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import type { InjectOptions } from 'fastify'
import type { Message } from '@aws-sdk/client-sqs'
import type { SQSRecord } from 'aws-lambda'
import t, { type Test } from 'tap'
import { deriveWebhookSecret } from '../../src/config.js'
import { WEBHOOK_BODY_LIMIT_BYTES } from '../../src/routes/telegram-webhook.js'
import { updateOf } from '../../src/worker/records.js'
import { buildTestApp, testConfig, TEST_BOT_TOKEN } from '../helper.js'
import { assertNoSecretLeaks, watchUnhandledRejections } from '../support/reliability.js'
import { createFifoQueue, drainQueue, sqsClient, startSqsEmulator } from '../support/sqs.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

/**
 * Hostile webhook requests, with the queue up (fauxqs): whatever arrives, the answer is one of
 * 200, 400, 401, 413, 415 (never a 5xx: those make Telegram retry, and hold back the chat), nothing
 * crashes, and what is queued is the update that was sent.
 * Seeds are fixed; a failure prints the counterexample and its path to replay it.
 */

const unhandled = watchUnhandledRejections()
const SEED = 20_240_601
const ACCEPTABLE = new Set([200, 400, 401, 413, 415])
const secret = deriveWebhookSecret(TEST_BOT_TOKEN)

const sqs = await startSqsEmulator()
t.teardown(async () => { await sqs.stop() })
const client = sqsClient(sqs)
const queueUrl = createFifoQueue(sqs, 'fuzz')
const app = await buildTestApp(t, testConfig({ QUEUE_URL: queueUrl, SQS_ENDPOINT: sqs.address }))

async function post (payload: string | Buffer, headers: Record<string, string>): Promise<{ statusCode: number, body: string }> {
  const response = await app.inject({ method: 'POST', url: '/telegram/webhook', headers, payload } satisfies InjectOptions)
  return { statusCode: response.statusCode, body: response.body }
}

// Strings of any code point (astral, U+FFFE/U+FFFF, controls), RTL and zero-width marks, SQL-looking text.
const nasty = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('\u202Eevil\u202C', 'a\u200Bb\u200Dc', '\uFEFF', '\uFFFE\uFFFF', '😀👨‍👩‍👧', "'; DROP TABLE x;--", '\u0000\u0001', '\\u0000', 'null', '__proto__')
)
const anyJson = fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 })
const updateId = fc.oneof(
  { weight: 6, arbitrary: fc.nat() },
  { weight: 4, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1.5, 1e21, 2 ** 53 + 2, Number.MAX_VALUE, -0)) },
  { weight: 2, arbitrary: fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.nat(), { maxLength: 2 })) }
)
const telegramLike = fc.record({
  update_id: updateId,
  message: fc.record({
    message_id: fc.oneof(fc.nat(), fc.string()),
    date: fc.nat(),
    chat: fc.record({ id: fc.oneof(fc.integer(), fc.double(), fc.string()), type: fc.constantFrom('private', 'group', 'supergroup', 'channel', '') }),
    from: fc.record({ id: fc.oneof(fc.integer(), fc.double(), fc.string()), is_bot: fc.boolean(), first_name: nasty, username: nasty }, { requiredKeys: ['id'] }),
    text: nasty
  }, { requiredKeys: [] })
}, { requiredKeys: [] })
const jsonText = fc.oneof(
  anyJson.map((value) => JSON.stringify(value)),
  telegramLike.map((value) => JSON.stringify(value)),
  fc.tuple(fc.dictionary(nasty, anyJson, { maxKeys: 4 }), updateId).map(([rest, id]) => JSON.stringify({ ...rest, update_id: id })),
  // Truncated or spliced JSON.
  fc.tuple(telegramLike.map((value) => JSON.stringify(value)), fc.nat(), nasty).map(([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert)
)
const payload = fc.oneof(
  { weight: 6, arbitrary: jsonText },
  { weight: 2, arbitrary: nasty },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) }
)
const contentType = fc.oneof(
  { weight: 14, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-16',
      'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx',
      'application/vnd.api+json', 'application/json, text/plain', '')
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant(undefined) }
)
const RESERVED = new Set(['content-type', 'content-length', 'transfer-encoding', 'host', 'connection', 'expect', 'x-telegram-bot-api-secret-token'])
const headerName = fc.oneof(
  fc.constantFrom('content-encoding', 'accept', 'x-forwarded-for', 'x-real-ip', 'authorization', 'user-agent', 'cookie', 'accept-charset'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/)
).filter((name) => !RESERVED.has(name))
const headerValue = fc.string({ unit: 'grapheme-ascii', maxLength: 60 })
const secretHeader = fc.oneof(
  { weight: 8, arbitrary: fc.constant(secret) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(''), fc.constant(`${secret}x`), fc.constant(TEST_BOT_TOKEN), headerValue) },
  { weight: 1, arbitrary: fc.constant(undefined) }
)
const request = fc.record({
  payload,
  contentType,
  secret: secretHeader,
  headers: fc.dictionary(headerName, headerValue, { maxKeys: 4 })
})

function headersOf (input: { contentType: string | undefined, secret: string | undefined, headers: Record<string, string> }): Record<string, string> {
  return {
    ...input.headers,
    ...(input.contentType === undefined ? {} : { 'content-type': input.contentType }),
    ...(input.secret === undefined ? {} : { 'x-telegram-bot-api-secret-token': input.secret })
  }
}

/** What a 200 promises: the body was a JSON object with a safe integer update_id ≥ 0, and the secret was right. */
function acceptable200 (body: string | Buffer, sentSecret: string | undefined): boolean {
  if (sentSecret !== secret) return false
  try {
    const value = JSON.parse(body.toString()) as unknown
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
    const id = (value as { update_id?: unknown }).update_id
    return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0
  } catch {
    return false
  }
}

t.test('any request: 200, 400, 401, 413 or 415, never a 5xx; a 200 only for a well-formed, authenticated update', async (t) => {
  const seen = new Map<number, number>()
  await fc.assert(fc.asyncProperty(request, async (input) => {
    const response = await post(input.payload, headersOf(input))
    seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1)
    if (!ACCEPTABLE.has(response.statusCode)) throw new Error(`status ${response.statusCode}: ${response.body}`)
    if (input.secret !== secret && response.statusCode !== 401) throw new Error(`a wrong secret got ${response.statusCode}`)
    if (response.statusCode === 200 && !acceptable200(input.payload, input.secret)) throw new Error('accepted a body that is not an update')
  }), { seed: SEED, numRuns: 400 })
  t.pass(`statuses seen: ${JSON.stringify(Object.fromEntries([...seen].sort()))}`)
  for (const status of [200, 400, 401, 415]) t.ok((seen.get(status) ?? 0) > 0, `the generators reach ${status}`)
  assertWorkerReadsAll(t, await drainQueue(client, queueUrl))
})

/** What the webhook accepted, the worker can read: otherwise it is retried 5 times and parked without a word to the user. */
function assertWorkerReadsAll (t: Test, queued: Message[]): void {
  const unreadable = queued.filter((message) => {
    try {
      updateOf({ body: message.Body ?? '' } as SQSRecord)
      return false
    } catch {
      return true
    }
  })
  t.same(unreadable.map((message) => message.Body?.slice(0, 80)), [], `the worker reads every one of the ${queued.length} queued updates`)
}

t.test('bodies at the edges of what the webhook and the worker agree on', async (t) => {
  const headers = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }
  const edges: Array<[string, string]> = [
    ['a byte-order mark before the JSON', '\uFEFF{"update_id": 31000001}'],
    ['whitespace around the JSON', ' \n\t{"update_id": 31000002}\r\n '],
    ['update_id at the largest safe integer', `{"update_id": ${Number.MAX_SAFE_INTEGER}}`],
    ['update_id past the safe integers', `{"update_id": ${2 ** 53 + 2}}`],
    ['update_id as 1e21', '{"update_id": 1e21}'],
    ['update_id as 5.0', '{"update_id": 31000003.0}'],
    ['update_id as 3.1e7', '{"update_id": 3.1e7}']
  ]
  for (const [name, body] of edges) {
    const response = await post(body, headers)
    t.ok(response.statusCode === 200 || response.statusCode === 400, `${name}: ${response.statusCode}`)
  }
  assertWorkerReadsAll(t, await drainQueue(client, queueUrl))
})

t.test('well-formed updates full of any unicode: 200, and the queue holds the same update (byte for byte where SQS allows)', async (t) => {
  let nextId = 10_000_000
  const sent = new Map<string, string>()
  await fc.assert(fc.asyncProperty(telegramLike, fc.constantFrom(0, 2), async (update, indent) => {
    const body = JSON.stringify({ ...update, update_id: nextId++ }, null, indent)
    const response = await post(body, { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret })
    // A key named __proto__ is refused on purpose (prototype poisoning): 400, not a 5xx.
    if (response.statusCode === 400 && body.includes('"__proto__"')) return
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${response.body}`)
    sent.set(String(nextId - 1), body)
  }), { seed: SEED + 1, numRuns: 150 })
  const queued = await drainQueue(client, queueUrl)
  t.equal(queued.length, sent.size, 'every accepted update is queued once')
  assertWorkerReadsAll(t, queued)
  for (const message of queued) {
    const original = sent.get(message.Attributes?.MessageDeduplicationId ?? '')
    if (original === undefined) { t.fail('an update nobody sent was queued'); continue }
    const body = message.Body ?? ''
    if (!isDeepStrictEqual(JSON.parse(body), JSON.parse(original))) t.fail(`update ${message.Attributes?.MessageDeduplicationId} changed on the way`)

    if (!/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd]/.test(original) && body !== original) t.fail('an SQS-safe body was rewritten')
  }
  t.pass(`${queued.length} updates compared`)
})

t.test('oversized bodies: 413 past the limit (even full of emoji), 200 up to it, 401 first for a wrong secret', async (t) => {
  const headers = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }
  const padded = (bytes: number, unit: string): string => {
    const frame = JSON.stringify({ update_id: 77_000_000 + bytes, pad: '' })
    const units = Math.floor((bytes - Buffer.byteLength(frame)) / Buffer.byteLength(unit))
    return JSON.stringify({ update_id: 77_000_000 + bytes + unit.length, pad: unit.repeat(units) })
  }
  const atLimitAscii = padded(WEBHOOK_BODY_LIMIT_BYTES, 'x')
  t.equal(Buffer.byteLength(atLimitAscii), WEBHOOK_BODY_LIMIT_BYTES, 'sanity: exactly at the limit')
  t.equal((await post(atLimitAscii, headers)).statusCode, 200, 'exactly at the limit: accepted')
  t.equal((await post(`${atLimitAscii} `, headers)).statusCode, 413, 'one byte over: 413')
  t.equal((await post(padded(WEBHOOK_BODY_LIMIT_BYTES - 8, '😀'), headers)).statusCode, 200, 'just under the limit in emoji: accepted (escaped for SQS)')
  t.equal((await post(padded(WEBHOOK_BODY_LIMIT_BYTES + 8, '😀'), headers)).statusCode, 413, 'just over the limit in emoji: 413')
  t.equal((await post('x'.repeat(8 * 1024 * 1024), headers)).statusCode, 413, '8 MiB: 413')
  t.equal((await post('x'.repeat(8 * 1024 * 1024), { ...headers, 'x-telegram-bot-api-secret-token': 'nope' })).statusCode, 401, 'oversized with a wrong secret: 401')
  t.equal((await post('x'.repeat(8 * 1024 * 1024), { ...headers, 'content-type': 'text/plain' })).statusCode, 415, 'oversized and not JSON: 415')
  await drainQueue(client, queueUrl)
})

t.test('the app is still healthy, nothing leaked, no unhandled rejection', async (t) => {
  const health = await app.inject({ method: 'GET', url: '/health?deep=true' })
  t.equal(health.statusCode, 200)
  assertNoSecretLeaks(t, [TEST_BOT_TOKEN, secret])
  t.same(unhandled, [], 'no unhandled rejection')
})
