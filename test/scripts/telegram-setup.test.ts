import t, { type Test } from 'tap'
import { createBotApi } from '../../scripts/lib/bot-api.js'
import { setupTelegram } from '../../scripts/lib/telegram-setup.js'
import { answers, startFakeBotApi, TOKEN } from './fake-http.js'

const API_URL = 'https://abc.execute-api.us-east-1.amazonaws.com'
const SECRET = 'derived-webhook-secret_value'
const COMMANDS = [{ name: 'register', description: 'Link your account' }]

/** A Bot API that remembers what was set and reports it back, optionally altered. */
async function telegramWith (alter: (info: Record<string, unknown>) => Record<string, unknown>, keepsCommands: boolean) {
  let webhook: Record<string, unknown> = {}
  let menu: unknown = []
  return await startFakeBotApi({
    setWebhook: (params) => { webhook = params; return answers(true)(params) },
    setMyCommands: (params) => { if (keepsCommands) menu = params.commands; return answers(true)(params) },
    getWebhookInfo: (params) => answers(alter({ url: webhook.url, pending_update_count: 2, max_connections: webhook.max_connections, allowed_updates: webhook.allowed_updates, last_error_message: 'Wrong response from the webhook: 503 Service Unavailable', last_error_date: 1_700_000_000 }))(params),
    getMyCommands: (params) => answers(menu)(params)
  })
}

async function setup (t: Test, alter = (info: Record<string, unknown>) => info, keepsCommands = true) {
  const telegram = await telegramWith(alter, keepsCommands)
  t.teardown(telegram.close)
  const printed: string[] = []
  const verified = await setupTelegram({
    api: createBotApi({ token: TOKEN, apiRoot: telegram.url, secrets: [SECRET] }),
    apiUrl: API_URL,
    webhookSecret: SECRET,
    commands: COMMANDS,
    allowedUpdates: ['message'],
    print: (line) => printed.push(line)
  })
  return { verified, printed, requests: telegram.requests }
}

t.test('sets webhook and commands, verifies them, prints no secret', async (t) => {
  const { verified, printed, requests } = await setup(t)
  t.equal(verified, true)
  t.same(requests.map((request) => request.path.split('/').at(-1)), ['setWebhook', 'setMyCommands', 'getWebhookInfo', 'getMyCommands'])
  t.same(JSON.parse(requests[0]?.body ?? ''), {
    url: `${API_URL}/telegram/webhook`,
    secret_token: SECRET,
    allowed_updates: ['message'],
    max_connections: 40,
    drop_pending_updates: false
  })
  t.same(JSON.parse(requests[1]?.body ?? ''), { commands: [{ command: 'register', description: 'Link your account' }] })
  const output = printed.join('\n')
  t.match(output, 'pending_update_count: 2')
  t.match(output, 'last_error_message:   Wrong response from the webhook: 503 Service Unavailable')
  t.match(output, 'verified')
  t.notMatch(output, SECRET)
  t.notMatch(output, TOKEN)
})

t.test('prints each mismatch Telegram reports and is not verified', async (t) => {
  const { verified, printed } = await setup(t, (info) => ({ ...info, url: 'https://old.example.com/hook', allowed_updates: undefined }))
  t.equal(verified, false)
  t.match(printed.join('\n'), 'MISMATCH url: expected "https://abc.execute-api.us-east-1.amazonaws.com/telegram/webhook", Telegram has "https://old.example.com/hook"')
  t.match(printed.join('\n'), 'MISMATCH allowed_updates: expected ["message"], Telegram has (its default)')
  t.match(printed.at(-1), 'NOT verified')
})

t.test('a command menu Telegram did not keep is a mismatch', async (t) => {
  const { verified, printed } = await setup(t, undefined, false)
  t.equal(verified, false)
  t.match(printed.join('\n'), 'MISMATCH commands: expected [{"command":"register","description":"Link your account"}], Telegram has []')
})
