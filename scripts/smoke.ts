/**
 * npm run smoke -- --url <api url> | --stage <stage>
 * Deep health check, a refused unsigned update and a signed synthetic /register for the test account;
 * PASS or FAIL per step.
 */
import { resolveApiUrl } from './lib/api-url.js'
import { readWebhookSecret } from './lib/bot-credentials.js'
import { runMain } from './lib/main.js'
import { readCommandLine } from '../src/command-line.js'
import { TARGET_OPTIONS, TARGET_USAGE, targetOf } from './lib/options.js'
import { readSmokeAccount, runSmoke } from './lib/smoke.js'

const USAGE = `Smoke test of a deployed stage: deep health check, a refused unsigned update, then a signed synthetic
/register for a test account. Prints PASS or FAIL per step; exit status 1 if any fails.

  SMOKE_TELEGRAM_USER_ID=… SMOKE_USERNAME=… SMOKE_TOKEN=… \\
    npx sst shell --stage <stage> -- npm run smoke -- --stage <stage>

Options:
${TARGET_USAGE}
  -h, --help        this text

The webhook secret is the stage's SST secret TELEGRAM_WEBHOOK_SECRET inside \`sst shell\` (else the variable of that name).
Neither it nor SMOKE_TOKEN is ever printed.`

const args = readCommandLine(process.argv.slice(2), { command: 'npm run smoke', usage: USAGE, options: TARGET_OPTIONS })
let webhookSecret: string | undefined
if (args !== undefined) {
  await runMain(async () => {
    const apiUrl = resolveApiUrl(targetOf(args.values))
    webhookSecret = readWebhookSecret()
    const account = readSmokeAccount()
    console.log(`smoke test of ${apiUrl}`)
    return await runSmoke({ apiUrl, webhookSecret, account, print: console.log })
  }, () => [webhookSecret, process.env.SMOKE_TOKEN])
}
