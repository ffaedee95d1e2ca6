/**
 * npm run telegram:setup -- --stage <stage> | --url <api url>
 * Sets the webhook (URL, secret token, allowed_updates, max_connections) and the command menu,
 * then verifies both with getWebhookInfo / getMyCommands. Token: TELEGRAM_BOT_TOKEN or `sst shell`.
 */
import { commands } from '../src/commands/index.js'
import { resolveApiUrl } from './lib/api-url.js'
import { createBotApi } from './lib/bot-api.js'
import { readBotCredentials, type BotCredentials } from './lib/bot-credentials.js'
import { runMain } from './lib/main.js'
import { readOptions } from './lib/options.js'
import { setupTelegram } from './lib/telegram-setup.js'

let credentials: BotCredentials | undefined
await runMain(async () => {
  const apiUrl = resolveApiUrl(readOptions(process.argv.slice(2)))
  credentials = readBotCredentials()
  const api = createBotApi({ ...credentials, secrets: [credentials.webhookSecret] })
  return await setupTelegram({ api, apiUrl, webhookSecret: credentials.webhookSecret, commands, print: console.log })
}, () => [credentials?.token, credentials?.webhookSecret])
