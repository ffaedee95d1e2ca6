/**
 * npm run smoke -- --url <api url> | --stage <stage>
 * Deep health check, a refused unsigned update and a signed synthetic /register for the test account
 * (SMOKE_TELEGRAM_USER_ID, SMOKE_USERNAME, SMOKE_TOKEN); PASS or FAIL per step.
 * The webhook secret is derived from TELEGRAM_BOT_TOKEN (or `sst shell`), as the Api derives it.
 */
import { resolveApiUrl } from './lib/api-url.js'
import { readBotCredentials, type BotCredentials } from './lib/bot-credentials.js'
import { runMain } from './lib/main.js'
import { readOptions } from './lib/options.js'
import { readSmokeAccount, runSmoke } from './lib/smoke.js'

let credentials: BotCredentials | undefined
await runMain(async () => {
  const apiUrl = resolveApiUrl(readOptions(process.argv.slice(2)))
  credentials = readBotCredentials()
  const account = readSmokeAccount()
  console.log(`smoke test of ${apiUrl}`)
  return await runSmoke({ apiUrl, webhookSecret: credentials.webhookSecret, account, print: console.log })
}, () => [credentials?.token, credentials?.webhookSecret, process.env.SMOKE_TOKEN])
