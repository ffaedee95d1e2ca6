/**
 * npm run telegram:info
 * Prints the bot's privacy mode (getMe), Telegram's view of the webhook (allowed_updates,
 * max_connections, pending_update_count, last_error_message, …) and the command menu.
 */
import { createBotApi } from './lib/bot-api.js'
import { readBotCredentials, type BotCredentials } from './lib/bot-credentials.js'
import { runMain } from './lib/main.js'
import { readCommandLine } from '../src/command-line.js'
import { describePrivacyMode, type BotGroupAccess } from './lib/privacy-mode.js'
import { describeWebhook, type WebhookInfo } from './lib/webhook.js'

const USAGE = `Prints a bot's privacy mode, Telegram's view of its webhook (url, allowed_updates, max_connections,
pending_update_count, last_error_message, …) and its command menu.

  npx sst shell --stage <stage> -- npm run telegram:info
  TELEGRAM_BOT_TOKEN=… npm run telegram:info

Options:
  -h, --help   this text

The token (the TELEGRAM_BOT_TOKEN variable, or the stage's SST secret of that name inside \`sst shell\`) is never printed.`

let credentials: BotCredentials | undefined
if (readCommandLine(process.argv.slice(2), { command: 'npm run telegram:info', usage: USAGE, options: {} }) !== undefined) {
  await runMain(async () => {
    credentials = readBotCredentials()
    const api = createBotApi(credentials)
    const me = await api<BotGroupAccess>('getMe')
    console.log(`bot:                  @${me.username ?? '?'}`)
    console.log(describePrivacyMode(me))
    for (const line of describeWebhook(await api<WebhookInfo>('getWebhookInfo'))) console.log(line)
    const menu = await api<Array<{ command: string, description: string }>>('getMyCommands')
    console.log(`commands:             ${menu.length === 0 ? '(none)' : menu.map((entry) => `/${entry.command}`).join(' ')}`)
    return true
  }, () => [credentials?.token])
}
