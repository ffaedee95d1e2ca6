/**
 * npm run telegram:setup -- --stage <stage> | --url <api url>
 * Sets the webhook (URL, secret token, allowed_updates: the update types the Worker registers handlers
 * for, max_connections: infra/settings.ts) and the command menu,
 * then verifies both with getWebhookInfo / getMyCommands.
 */
import { commands } from '../src/commands/index.js'
import { handledUpdateTypes } from '../src/worker/handled-updates.js'
import { resolveApiUrl } from './lib/api-url.js'
import { createBotApi } from './lib/bot-api.js'
import { readBotCredentials, readWebhookSecret, type BotCredentials } from './lib/bot-credentials.js'
import { runMain } from './lib/main.js'
import { readCommandLine } from '../src/command-line.js'
import { TARGET_OPTIONS, TARGET_USAGE, targetOf } from './lib/options.js'
import { setupTelegram } from './lib/telegram-setup.js'

const USAGE = `Points a stage's bot at its deployed webhook and publishes the command menu, then reads both back.

  npx sst shell --stage <stage> -- npm run telegram:setup -- --stage <stage>
  TELEGRAM_BOT_TOKEN=… TELEGRAM_WEBHOOK_SECRET=… npm run telegram:setup -- --url <api url>

Options:
${TARGET_USAGE}
  -h, --help        this text

Inside \`sst shell\` the stage's SST secrets TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET are used, the very values
the deployed functions link. Neither is ever printed. Exit status 1 on any MISMATCH.`

const args = readCommandLine(process.argv.slice(2), { command: 'npm run telegram:setup', usage: USAGE, options: TARGET_OPTIONS })
let credentials: BotCredentials | undefined
let webhookSecret: string | undefined
if (args !== undefined) {
  await runMain(async () => {
    const apiUrl = resolveApiUrl(targetOf(args.values))
    credentials = readBotCredentials()
    webhookSecret = readWebhookSecret()
    const api = createBotApi({ ...credentials, secrets: [webhookSecret] })
    return await setupTelegram({ api, apiUrl, webhookSecret, commands, allowedUpdates: await handledUpdateTypes(), print: console.log })
  }, () => [credentials?.token, webhookSecret])
}
