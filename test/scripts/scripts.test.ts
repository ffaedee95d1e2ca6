/** The script entry points, run as npm runs them (tsx), against a fake Bot API and a fake deployed API. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { deriveWebhookSecret } from '../../src/config.js'
import { answers, startFakeBotApi, startFakeServer, TOKEN } from './fake-http.js'
import { withoutCoverage } from '../support/child-process.js'

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

t.test('smoke passes against an API that checks the derived secret, and prints no credential', async (t) => {
  const secret = deriveWebhookSecret(TOKEN)
  const api = await startFakeServer(({ path, headers }) => path === '/health?deep=true' || headers['x-telegram-bot-api-secret-token'] === secret ? { body: {} } : { status: 401 })
  t.teardown(api.close)
  const { code, output } = await runScript('smoke.ts', ['--url', api.url], {
    TELEGRAM_BOT_TOKEN: TOKEN, SMOKE_TELEGRAM_USER_ID: '4242', SMOKE_USERNAME: 'smoke-user', SMOKE_TOKEN: 'smoke-credential-123'
  })
  t.equal(code, 0, output)
  t.equal(output.match(/^PASS /gm)?.length, 3, output)
  for (const secretValue of [TOKEN, secret, 'smoke-credential-123']) t.notMatch(output, secretValue)
})

t.test('smoke exits 1 when a step fails', async (t) => {
  const api = await startFakeServer(() => ({ status: 500 }))
  t.teardown(api.close)
  const { code, output } = await runScript('smoke.ts', ['--url', api.url], {
    TELEGRAM_BOT_TOKEN: TOKEN, SMOKE_TELEGRAM_USER_ID: '4242', SMOKE_USERNAME: 'smoke-user', SMOKE_TOKEN: 'smoke-credential-123'
  })
  t.equal(code, 1)
  t.match(output, /^FAIL GET \/health\?deep=true/m)
})
