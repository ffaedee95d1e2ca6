/**
 * The Api Lambda's answers, pinned: a fixed set of API Gateway v2 events goes through the Api bundle
 * built with the deployed esbuild options (stand-ins included), in a fresh Node process as Lambda
 * runs it (on this Node and on Node 24), and every answer (status, headers that matter, body), every log line and every queued
 * message must equal test/fixtures/lambda-golden-answers.json. The fixture was recorded from the
 * code before the cold-start work (Fastify's Ajv and fast-json-stringify compilers, `Type.*`), so a
 * stub or compiler swap that changes what Telegram or an operator sees fails here.
 *
 * Re-record only for an intended change of behaviour: `GOLDEN_RECORD=1 npx tap test/lambda-golden.test.ts`.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import t, { type Test } from 'tap'
import { LAMBDA_NODEJS } from '../infra/lambda-build.js'
import { LAMBDA_NODE_MAJOR, nodeBinary } from '../scripts/lib/node-release.js'
import { bundleLambda } from './infra/lambda-bundle.js'
import { createFifoQueue, drainQueue, sqsClient, startSqsEmulator } from './support/sqs.js'
import { FILE_BUDGET_MS } from './support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.lambdaBundles)

const FIXTURE = new URL('./fixtures/lambda-golden-answers.json', import.meta.url)
const SECRET = 'fixture-webhook-secret_0123456789'
const ROOT = new URL('..', import.meta.url).pathname

function fixture (name: string): APIGatewayProxyEventV2 {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as APIGatewayProxyEventV2
}

const user = { id: 5550001, is_bot: false, first_name: 'Zoé', username: 'zoe', language_code: 'fr' }
const group = { id: -1001234567890, title: 'Platform users', type: 'supergroup' }
const privateChat = { id: 5550001, first_name: 'Zoé', username: 'zoe', type: 'private' }

/** A webhook call carrying `body` as given (a string is sent verbatim). */
function post (body: unknown, change: { headers?: Record<string, string | undefined>, base64?: boolean } = {}): APIGatewayProxyEventV2 {
  const event = fixture('apigw-v2-webhook')
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  const headers: Record<string, string | undefined> = { ...event.headers, 'content-length': String(Buffer.byteLength(text)), ...change.headers }
  for (const [name, value] of Object.entries(headers)) if (value === undefined) Reflect.deleteProperty(headers, name)
  return {
    ...event,
    headers: headers as Record<string, string>,
    body: change.base64 === true ? Buffer.from(text).toString('base64') : text,
    isBase64Encoded: change.base64 === true
  }
}

function get (path: string, query = ''): APIGatewayProxyEventV2 {
  const event = fixture('apigw-v2-health')
  return {
    ...event,
    rawPath: path,
    rawQueryString: query,
    queryStringParameters: query === '' ? undefined : Object.fromEntries(new URLSearchParams(query)),
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path } }
  }
}

const message = (updateId: number, fields: Record<string, unknown>): Record<string, unknown> =>
  ({ update_id: updateId, message: { message_id: updateId % 1000, from: user, chat: privateChat, date: 1763785799, ...fields } })

/** The events, in order. Names are the fixture's keys. */
const EVENTS: Array<[string, APIGatewayProxyEventV2]> = [
  ['private /register command', post(message(810001, { text: '/register demo demo-token', entities: [{ offset: 0, length: 9, type: 'bot_command' }] }))],
  ['group text (non-command)', post({ update_id: 810002, message: { message_id: 2, from: user, chat: group, date: 1763785799, text: 'hello everyone' } })],
  ['edited message', post({ update_id: 810003, edited_message: { message_id: 3, from: user, chat: privateChat, date: 1763785799, edit_date: 1763785800, text: 'edited' } })],
  ['callback query', post({ update_id: 810004, callback_query: { id: '4382bfdwdsb323b2d9', from: user, chat_instance: '-123', data: 'again' } })],
  ['my_chat_member (bot added to a group)', post({ update_id: 810005, my_chat_member: { chat: group, from: user, date: 1763785799, old_chat_member: { user: { id: 1, is_bot: true, first_name: 'Bot' }, status: 'left' }, new_chat_member: { user: { id: 1, is_bot: true, first_name: 'Bot' }, status: 'member' } } })],
  ['channel post (no sender)', post({ update_id: 810006, channel_post: { message_id: 6, chat: { id: -1009876543210, title: 'News', type: 'channel' }, date: 1763785799, text: 'news' } })],
  ['inline query', post({ update_id: 810007, inline_query: { id: '77', from: user, query: 'abc', offset: '' } })],
  ['update type Telegram adds later', post({ update_id: 810008, some_future_update: { id: 8, from: user } })],
  ['emoji and U+FFFF in text (SQS-safe escaping)', post(message(810009, { text: 'party 🎉 \uffff end' }))],
  ['update_id 0', post({ update_id: 0 })],
  ['largest safe update_id', post({ update_id: Number.MAX_SAFE_INTEGER })],
  ['base64-encoded body', post(message(810012, { text: 'héllo — base64 ✓' }), { base64: true })],
  ['leading byte-order mark', post(`\uFEFF${JSON.stringify(message(810013, { text: 'bom' }))}`)],
  ['content-type with charset', post(message(810014, { text: 'charset' }), { headers: { 'content-type': 'application/json; charset=utf-8' } })],
  ['wrong secret', post(message(810015, { text: 'x' }), { headers: { 'x-telegram-bot-api-secret-token': 'fixture-webhook-secret_0123456788' } })],
  ['missing secret', post(message(810016, { text: 'x' }), { headers: { 'x-telegram-bot-api-secret-token': undefined } })],
  ['wrong secret and a bad body', post('{nope', { headers: { 'x-telegram-bot-api-secret-token': 'nope' } })],
  ['not JSON', post('{"update_id": 1,')],
  ['empty body', post('')],
  ['JSON array', post([{ update_id: 1 }])],
  ['JSON null', post('null')],
  ['update_id missing', post({ message: { text: 'no id' } })],
  ['update_id as a string', post({ update_id: '77' })],
  ['update_id negative', post({ update_id: -1 })],
  ['update_id fractional', post({ update_id: 1.5 })],
  ['update_id above 2^53', post('{"update_id":9007199254740993}')],
  ['update_id 1e21', post('{"update_id":1e21}')],
  ['body over 128 KiB (413)', post(message(810027, { text: 'x'.repeat(130 * 1024) }))],
  ['text/plain body (415)', post('{"update_id":810028}', { headers: { 'content-type': 'text/plain' } })],
  ['no content-type (415)', post('{"update_id":810029}', { headers: { 'content-type': undefined } })],
  ['GET /health', get('/health')],
  ['GET /health?deep=true', get('/health', 'deep=true')],
  ['GET /health?deep=false', get('/health', 'deep=false')],
  ['GET /health?deep=maybe (400)', get('/health', 'deep=maybe')],
  ['GET /telegram/webhook (404)', get('/telegram/webhook')],
  ['unknown path (404)', get('/bot123456:secret-looking-path')]
]

/** Imports the bundle, invokes the handler once per event in order, writes the answers as JSON to fd 3; log lines go to stdout. */
const RUNNER = `
import { readFileSync, writeSync } from 'node:fs'
const { handler } = await import(process.env.GOLDEN_BUNDLE)
const events = JSON.parse(readFileSync(process.env.GOLDEN_EVENTS, 'utf8'))
const context = () => ({ callbackWaitsForEmptyEventLoop: true, functionName: 'golden', awsRequestId: 'golden', getRemainingTimeInMillis: () => 10000 })
const answers = []
for (const event of events) answers.push(await handler(event, context()))
writeSync(3, JSON.stringify(answers))
process.exit(0)
`

interface Answer { statusCode: number, headers?: Record<string, string>, body?: string, isBase64Encoded?: boolean, cookies?: string[] }

/** What is compared of an answer: the parts that are the same on every run (the health report's uptime is not). */
function comparable (answer: Answer): Record<string, unknown> {
  const headers = answer.headers ?? {}
  return {
    statusCode: answer.statusCode,
    contentType: headers['content-type'],
    retryAfter: headers['retry-after'],
    isBase64Encoded: answer.isBase64Encoded,
    cookies: answer.cookies,
    // Byte for byte (key order included); only the health report's seconds of uptime vary.
    body: answer.body?.replace(/"uptime":\d+/, '"uptime":0')
  }
}

/** A log line without what differs per process (time, pid, host) or per run (response time). */
function comparableLine (line: string): Record<string, unknown> {
  const { time: _time, pid: _pid, hostname: _hostname, responseTime: _responseTime, ...rest } = JSON.parse(line) as Record<string, unknown>
  return rest
}

const sqs = await startSqsEmulator()
t.teardown(async () => { await sqs.stop() })
const client = sqsClient(sqs)
const dir = mkdtempSync(join(tmpdir(), 'lambda-golden-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const bundle = await bundleLambda(join(ROOT, 'src/lambda.ts'), LAMBDA_NODEJS, dir)
const eventsFile = join(dir, 'events.json')
writeFileSync(eventsFile, JSON.stringify(EVENTS.map(([, event]) => event)))

/** Runs every event through the bundle on `node`; what it answered, logged and queued. */
async function answersOn (t: Test, node: string, run: number): Promise<{ answers: Record<string, unknown>, logLines: unknown[], queued: unknown[] }> {
  // A queue per run: FIFO deduplication would drop a second run's sends of the same update ids.
  const queueUrl = createFifoQueue(sqs, `golden-${run}`)
  const child = spawn(node, ['--input-type=module', '-e', RUNNER], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      GOLDEN_BUNDLE: pathToFileURL(bundle.file).href,
      GOLDEN_EVENTS: eventsFile,
      QUEUE_URL: queueUrl,
      SQS_ENDPOINT: sqs.address,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: 'info',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'golden',
      AWS_SECRET_ACCESS_KEY: 'golden',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'
    },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    timeout: 30_000
  })
  let stdout = ''
  let stderr = ''
  let answersText = ''
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  ;(child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => { answersText += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  // The tail only: a bundle's stack trace quotes whole minified lines.
  t.equal(code, 0, 'the bundle loads and answers every event', { stderr: stderr.slice(-1500) })
  t.equal(stderr.slice(-1500), '', 'nothing on stderr')

  const answers = (JSON.parse(answersText || '[]') as Answer[]).map(comparable)
  const messages = (await drainQueue(client, queueUrl)).map((queued) => ({
    body: queued.Body,
    groupId: queued.Attributes?.MessageGroupId,
    deduplicationId: queued.Attributes?.MessageDeduplicationId,
    updateType: queued.MessageAttributes?.UpdateType?.StringValue
  }))
  return {
    answers: Object.fromEntries(EVENTS.map(([name], index) => [name, answers[index]])),
    logLines: stdout.split('\n').filter((line) => line !== '').map(comparableLine),
    queued: messages
  }
}

for (const [run, node] of [...new Set([process.execPath, nodeBinary(LAMBDA_NODE_MAJOR)])].entries()) {
  const version = node === process.execPath ? process.version : `Node ${LAMBDA_NODE_MAJOR}`
  t.test(`the Api bundle on ${version} answers every event as before the cold-start work`, async (t) => {
    const actual = await answersOn(t, node, run)
    if (process.env.GOLDEN_RECORD === '1' && node === process.execPath) {
      writeFileSync(FIXTURE, `${JSON.stringify(actual, null, 2)}\n`)
      t.comment(`recorded ${EVENTS.length} answers into ${FIXTURE.pathname}`)
    }
    const golden = JSON.parse(readFileSync(FIXTURE, 'utf8')) as typeof actual
    t.equal(Object.keys(golden.answers).length, EVENTS.length, 'one golden answer per event')
    for (const [name] of EVENTS) t.same(actual.answers[name], golden.answers[name], name)
    t.same(actual.logLines, golden.logLines, 'the same log lines, in the same order')
    t.same(actual.queued, golden.queued, 'the same messages queued')
  })
}
