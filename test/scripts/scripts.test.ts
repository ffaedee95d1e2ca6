/** The script entry points, run as npm runs them (tsx), against the Telegram emulator, a fake Bot API and a fake deployed API. */
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { TELEGRAM_WEBHOOK } from '../../infra/settings.js'
import { startTelegramEmulator } from '../../src/local/telegram-emulator.js'
import { answers, startFakeBotApi, startFakeServer, TOKEN } from './fake-http.js'
import { withoutCoverage } from '../support/child-process.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.childProcesses)

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WEBHOOK_SECRET = 'the_stage-webhook-secret'

async function runScript (script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null, output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${script}`, ...args], {
    cwd: ROOT,
    env: withoutCoverage({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, output }
}

t.test('telegram:info prints the webhook state and commands', async (t) => {
  const telegram = await startFakeBotApi({
    getMe: answers({ id: 1, is_bot: true, first_name: 'Bot', username: 'fake_bot', can_read_all_group_messages: false }),
    getWebhookInfo: answers({ url: 'https://abc.example.com/telegram/webhook', pending_update_count: 7, last_error_message: 'Connection timed out', last_error_date: 1_700_000_000 }),
    getMyCommands: answers([{ command: 'register', description: 'Link' }])
  })
  t.teardown(telegram.close)
  const { code, output } = await runScript('telegram-info.ts', [], { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.url })
  t.equal(code, 0, output)
  t.match(output, 'pending_update_count: 7')
  t.match(output, 'last_error_message:   Connection timed out')
  t.match(output, 'commands:             /register')
  t.notMatch(output, TOKEN)
})

t.test('telegram:info fails with a redacted one-line error when Telegram refuses the token', async (t) => {
  const telegram = await startFakeServer(() => ({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } }))
  t.teardown(telegram.close)
  const { code, output } = await runScript('telegram-info.ts', [], { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.url })
  t.equal(code, 1)
  t.equal(output.trim(), 'error: getMe: 401 Unauthorized')
})

t.test('telegram:setup against the Telegram emulator sets allowed_updates to the update types the Worker registers, max_connections from infra/settings.ts', async (t) => {
  const emulator = await startTelegramEmulator({ webhookRetry: { initialDelayMs: 5, maxDelayMs: 20 } })
  t.teardown(emulator.close)
  // Telegram keeps allowed_updates from an earlier setWebhook: setup must replace them, not leave them.
  await emulator.setWebhook({ url: 'http://127.0.0.1:9/old', allowedUpdates: ['callback_query'], maxConnections: 100 })
  const { code, output } = await runScript('telegram-setup.ts', ['--url', 'http://127.0.0.1:9'], { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.url, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET })
  t.equal(code, 0, output)
  t.match(emulator.webhook, { url: 'http://127.0.0.1:9/telegram/webhook', allowed_updates: ['message'], max_connections: TELEGRAM_WEBHOOK.maxConnections })
  t.match(output, 'allowed_updates edited_message,message')
  t.match(output, 'verified: Telegram has the webhook and commands that were set')
  t.notMatch(output, emulator.token)
  t.notMatch(output, WEBHOOK_SECRET)
})

for (const privacyMode of [true, false]) {
  t.test(`telegram:info against the Telegram emulator, privacy mode ${privacyMode ? 'on' : 'off'}: privacy mode, allowed_updates, max_connections, pending updates, last error`, async (t) => {
    const emulator = await startTelegramEmulator({ privacyMode, webhookRetry: { initialDelayMs: 5, maxDelayMs: 20 } })
    t.teardown(emulator.close)
    // A webhook nobody answers: the update stays pending and the delivery error is Telegram's last error.
    await emulator.setWebhook({ url: 'http://127.0.0.1:9/telegram/webhook', allowedUpdates: ['message', 'edited_message'], maxConnections: 7 })
    emulator.sendUserMessage({ from: { id: 42, first_name: 'Ann' }, text: '/start' })
    for (let tries = 0; emulator.webhook.last_error_message === undefined && tries < 200; tries++) await sleep(10)
    const { code, output } = await runScript('telegram-info.ts', [], { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.url })
    t.equal(code, 0, output)
    t.match(output, `bot:                  @${emulator.botUsername}`)
    t.match(output, privacyMode ? 'privacy_mode:         on (can_read_all_group_messages: false)' : 'privacy_mode:         off (can_read_all_group_messages: true)')
    t.match(output, 'allowed_updates:      message, edited_message')
    t.match(output, 'max_connections:      7')
    t.match(output, 'pending_update_count: 1')
    t.match(output, /last_error_message: {3}\S/)
    t.notMatch(output, emulator.token)
  })
}

t.test('smoke passes against an API that checks the stage\'s webhook secret, needs no bot token, and prints no credential', async (t) => {
  const api = await startFakeServer(({ path, headers }) => path === '/health?deep=true' || headers['x-telegram-bot-api-secret-token'] === WEBHOOK_SECRET ? { body: {} } : { status: 401 })
  t.teardown(api.close)
  const { code, output } = await runScript('smoke.ts', ['--url', api.url], {
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET, SMOKE_TELEGRAM_USER_ID: '4242', SMOKE_USERNAME: 'smoke-user', SMOKE_TOKEN: 'smoke-credential-123'
  })
  t.equal(code, 0, output)
  t.equal(output.match(/^PASS /gm)?.length, 3, output)
  for (const secretValue of [WEBHOOK_SECRET, 'smoke-credential-123']) t.notMatch(output, secretValue)
})

t.test('smoke exits 1 when a step fails', async (t) => {
  const api = await startFakeServer(() => ({ status: 500 }))
  t.teardown(api.close)
  const { code, output } = await runScript('smoke.ts', ['--url', api.url], {
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET, SMOKE_TELEGRAM_USER_ID: '4242', SMOKE_USERNAME: 'smoke-user', SMOKE_TOKEN: 'smoke-credential-123'
  })
  t.equal(code, 1)
  t.match(output, /^FAIL GET \/health\?deep=true/m)
})

t.test('telegram:setup registers the stage\'s webhook secret, never one derived from the token', async (t) => {
  const set: Array<Record<string, unknown>> = []
  const telegram = await startFakeBotApi({
    setWebhook: (params) => { set.push(params); return { body: { ok: true, result: true } } },
    setMyCommands: answers(true),
    getWebhookInfo: () => ({ body: { ok: true, result: { url: String(set[0]?.url), pending_update_count: 0, max_connections: 40, allowed_updates: ['message'] } } }),
    getMyCommands: answers([{ command: 'register', description: 'Link your Telegram account to your platform account' }])
  })
  t.teardown(telegram.close)
  const { output } = await runScript('telegram-setup.ts', ['--url', 'https://abc.example.com'], { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.url, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET })
  t.equal(set[0]?.secret_token, WEBHOOK_SECRET, output)
  t.notMatch(output, WEBHOOK_SECRET)
  t.notMatch(output, TOKEN)

  const without = await runScript('telegram-setup.ts', ['--url', 'https://abc.example.com'], { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.url })
  t.equal(without.code, 1)
  t.match(without.output.trim(), /^error: no webhook secret: run the script through `npx sst shell --stage <stage> -- npm run …`/)
  t.equal(set.length, 1, 'nothing set without the stage\'s secret')
})
