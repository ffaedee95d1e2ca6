import { deriveWebhookSecret, readSstLinks, type LinkedValues } from '../../src/config.js'

export interface BotCredentials {
  token: string
  /** The header value Telegram sends and the Api function expects. */
  webhookSecret: string
  apiRoot: string
}

/**
 * The bot token from TELEGRAM_BOT_TOKEN, or from the stage's secret when run inside
 * `npx sst shell --stage <stage> -- …`; the webhook secret derived from it exactly as the Api does.
 */
export function readBotCredentials (env: NodeJS.ProcessEnv = process.env, links: LinkedValues = readSstLinks()): BotCredentials {
  const token = nonEmpty(env.TELEGRAM_BOT_TOKEN) ?? links.TELEGRAM_BOT_TOKEN
  if (token === undefined) {
    throw new Error('no bot token: set TELEGRAM_BOT_TOKEN, or run the script through `npx sst shell --stage <stage> -- npm run …`')
  }
  return {
    token,
    webhookSecret: nonEmpty(env.TELEGRAM_WEBHOOK_SECRET) ?? deriveWebhookSecret(token),
    apiRoot: (nonEmpty(env.TELEGRAM_API_ROOT) ?? 'https://api.telegram.org').replace(/\/+$/, '')
  }
}

function nonEmpty (value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
