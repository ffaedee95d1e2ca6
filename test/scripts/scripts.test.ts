/** The script entry points, run as npm runs them (tsx), against a fake Bot API and a fake deployed API. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { answers, startFakeBotApi, startFakeServer, TOKEN } from './fake-http.js'
import { withoutCoverage } from '../support/child-process.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.childProcesses)

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

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
  t.equal(output.trim(), 'error: getWebhookInfo: 401 Unauthorized')
})

const WEBHOOK_SECRET = 'the_stage-webhook-secret'

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
