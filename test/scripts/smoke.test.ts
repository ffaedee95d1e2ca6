import t from 'tap'
import { readSmokeAccount, runSmoke, syntheticRegister } from '../../scripts/lib/smoke.js'
import { startFakeServer, type ReceivedRequest, type Reply } from './fake-http.js'

const SECRET = 'derived-webhook-secret_value'
const ACCOUNT = { telegramUserId: 4242, username: 'smoke-user', token: 'smoke-credential-123' }

/** The deployed API as the smoke test sees it: health, and a webhook that checks the secret header. */
function api (health: Reply = { body: { status: 'ok', checks: { queue: 'ok' } } }) {
  return ({ path, headers }: ReceivedRequest): Reply => {
    if (path === '/health?deep=true') return health
    if (path === '/telegram/webhook') return headers['x-telegram-bot-api-secret-token'] === SECRET ? { body: {} } : { status: 401, body: { error: 'Unauthorized' } }
    return { status: 404 }
  }
}

async function smoke (answer: (request: ReceivedRequest) => Reply) {
  const server = await startFakeServer(answer)
  const printed: string[] = []
  const passed = await runSmoke({ apiUrl: server.url, webhookSecret: SECRET, account: ACCOUNT, print: (line) => printed.push(line) })
  await server.close()
  return { passed, printed, requests: server.requests }
}

t.test('passes each step against a healthy API, sending a signed private /register', async (t) => {
  const { passed, printed, requests } = await smoke(api())
  t.equal(passed, true)
  t.same(printed.map((line) => line.split(' ')[0]), ['PASS', 'PASS', 'PASS'])
  const signed = requests.find((request) => request.headers['x-telegram-bot-api-secret-token'] === SECRET)
  const update = JSON.parse(signed?.body ?? '{}') as { update_id: number, message: { text: string, chat: { id: number, type: string }, from: { id: number } } }
  t.equal(update.message.text, '/register smoke-user smoke-credential-123')
  t.same([update.message.chat.id, update.message.chat.type, update.message.from.id], [4242, 'private', 4242])
  t.ok(Number.isSafeInteger(update.update_id) && update.update_id > 0)
  t.notMatch(printed.join('\n'), ACCOUNT.token)
  t.notMatch(printed.join('\n'), SECRET)
})

t.test('fails the step whose answer is wrong and reports the status', async (t) => {
  const { passed, printed } = await smoke(api({ status: 503, body: { status: 'unhealthy', checks: { queue: 'timeout' } } }))
  t.equal(passed, false)
  t.match(printed[0], /^FAIL GET \/health\?deep=true — HTTP 503, expected 200: .*unhealthy/)
  t.match(printed[2], /^PASS/)
})

t.test('fails when the webhook accepts a wrong secret', async (t) => {
  const { passed, printed } = await smoke(() => ({ body: {} }))
  t.equal(passed, false)
  t.match(printed[1], /^FAIL POST \/telegram\/webhook with a wrong secret is refused — HTTP 200, expected 401/)
})

t.test('an unreachable API fails every step without throwing', async (t) => {
  const server = await startFakeServer(() => ({}))
  await server.close()
  const printed: string[] = []
  t.equal(await runSmoke({ apiUrl: server.url, webhookSecret: SECRET, account: ACCOUNT, print: (line) => printed.push(line) }), false)
  t.same(printed.map((line) => line.split(' ')[0]), ['FAIL', 'FAIL', 'FAIL'])
})

t.test('every synthetic update has a fresh update_id', async (t) => {
  const ids = new Set(Array.from({ length: 20 }, () => syntheticRegister(ACCOUNT).update_id))
  t.equal(ids.size, 20)
})

t.test('the test account comes from the environment', async (t) => {
  t.same(readSmokeAccount({ SMOKE_TELEGRAM_USER_ID: '4242', SMOKE_USERNAME: 'u', SMOKE_TOKEN: 'x' }), { telegramUserId: 4242, username: 'u', token: 'x' })
  t.throws(() => readSmokeAccount({ SMOKE_USERNAME: 'u' }), { message: 'set SMOKE_TELEGRAM_USER_ID, SMOKE_TOKEN (the smoke test account)' })
  t.throws(() => readSmokeAccount({ SMOKE_TELEGRAM_USER_ID: 'me', SMOKE_USERNAME: 'u', SMOKE_TOKEN: 'x' }), /positive integer/)
})
