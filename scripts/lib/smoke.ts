import { randomInt } from 'node:crypto'
import { WEBHOOK_PATH } from './webhook.js'

/** The test account the synthetic `/register` uses; the token is a credential and is never printed. */
export interface SmokeAccount {
  telegramUserId: number
  username: string
  token: string
}

export interface SmokeInput {
  apiUrl: string
  webhookSecret: string
  account: SmokeAccount
  print: (line: string) => void
  fetch?: typeof globalThis.fetch
}

interface Step {
  name: string
  run: () => Promise<string | undefined>
}

const TIMEOUT_MS = 10_000

/** Runs every step, printing PASS or FAIL for each; returns whether all passed. */
export async function runSmoke ({ apiUrl, webhookSecret, account, print, fetch = globalThis.fetch }: SmokeInput): Promise<boolean> {
  const request = async (path: string, init: RequestInit = {}) => await fetch(`${apiUrl}${path}`, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) })
  const postUpdate = async (secret: string) => await request(WEBHOOK_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    body: JSON.stringify(syntheticRegister(account))
  })
  const expectStatus = (response: Response, expected: number, detail = '') =>
    response.status === expected ? undefined : `HTTP ${response.status}, expected ${expected}${detail}`

  const steps: Step[] = [
    {
      name: 'GET /health?deep=true',
      run: async () => {
        const response = await request('/health?deep=true')
        const body = await response.text()
        return expectStatus(response, 200, `: ${body.slice(0, 300)}`)
      }
    },
    {
      name: 'POST /telegram/webhook with a wrong secret is refused',
      run: async () => expectStatus(await postUpdate(`not-${webhookSecret}`), 401)
    },
    {
      name: `POST /telegram/webhook signed /register for Telegram user ${account.telegramUserId}`,
      run: async () => expectStatus(await postUpdate(webhookSecret), 200)
    }
  ]

  let passed = true
  for (const step of steps) {
    const failure = await step.run().catch((error: unknown) => `request failed: ${(error as Error).message}`)
    print(`${failure === undefined ? 'PASS' : 'FAIL'} ${step.name}${failure === undefined ? '' : ` — ${failure}`}`)
    passed &&= failure === undefined
  }
  return passed
}

/** A private-chat `/register` as Telegram would send it, with a fresh update_id so it is never deduplicated. */
export function syntheticRegister ({ telegramUserId, username, token }: SmokeAccount): Record<string, unknown> {
  const text = `/register ${username} ${token}`
  return {
    update_id: randomInt(1, 2 ** 31 - 1),
    message: {
      message_id: randomInt(1, 2 ** 31 - 1),
      date: Math.floor(Date.now() / 1000),
      from: { id: telegramUserId, is_bot: false, first_name: 'Smoke test' },
      chat: { id: telegramUserId, type: 'private', first_name: 'Smoke test' },
      text,
      entities: [{ type: 'bot_command', offset: 0, length: '/register'.length }]
    }
  }
}

/** The test account from SMOKE_TELEGRAM_USER_ID, SMOKE_USERNAME and SMOKE_TOKEN. */
export function readSmokeAccount (env: NodeJS.ProcessEnv = process.env): SmokeAccount {
  const missing = ['SMOKE_TELEGRAM_USER_ID', 'SMOKE_USERNAME', 'SMOKE_TOKEN'].filter((name) => (env[name] ?? '') === '')
  if (missing.length > 0) throw new Error(`set ${missing.join(', ')} (the smoke test account)`)
  const telegramUserId = Number(env.SMOKE_TELEGRAM_USER_ID)
  if (!Number.isSafeInteger(telegramUserId) || telegramUserId <= 0) throw new Error('SMOKE_TELEGRAM_USER_ID must be a Telegram user id (a positive integer)')
  return { telegramUserId, username: String(env.SMOKE_USERNAME), token: String(env.SMOKE_TOKEN) }
}
