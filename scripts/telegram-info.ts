/**
 * npm run telegram:info
 * Prints Telegram's view of the webhook (pending_update_count, last_error_message, …) and the
 * command menu. Token: TELEGRAM_BOT_TOKEN or `sst shell`.
 */
import { createBotApi } from './lib/bot-api.js'
import { readBotCredentials, type BotCredentials } from './lib/bot-credentials.js'
import { runMain } from './lib/main.js'
import { describeWebhook, type WebhookInfo } from './lib/webhook.js'

let credentials: BotCredentials | undefined
await runMain(async () => {
  credentials = readBotCredentials()
  const api = createBotApi(credentials)
  for (const line of describeWebhook(await api<WebhookInfo>('getWebhookInfo'))) console.log(line)
  const menu = await api<Array<{ command: string, description: string }>>('getMyCommands')
  console.log(`commands:             ${menu.length === 0 ? '(none)' : menu.map((entry) => `/${entry.command}`).join(' ')}`)
  return true
}, () => [credentials?.token, credentials?.webhookSecret])
