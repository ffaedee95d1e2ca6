import { readSstLinks, WEBHOOK_SECRET_PATTERN, type LinkedValues } from '../../src/config.js'

export interface BotCredentials {
  token: string
  apiRoot: string
}

/**
 * The bot token from TELEGRAM_BOT_TOKEN, or from the stage's secret when run inside
 * `npx sst shell --stage <stage> -- …`.
 */
export function readBotCredentials (env: NodeJS.ProcessEnv = process.env, links: LinkedValues = readSstLinks()): BotCredentials {
  const token = nonEmpty(env.TELEGRAM_BOT_TOKEN) ?? links.TELEGRAM_BOT_TOKEN
  if (token === undefined) {
    throw new Error('no bot token: set TELEGRAM_BOT_TOKEN, or run the script through `npx sst shell --stage <stage> -- npm run …`')
  }
  return { token, apiRoot: (nonEmpty(env.TELEGRAM_API_ROOT) ?? 'https://api.telegram.org').replace(/\/+$/, '') }
}

/**
 * The header value Telegram sends and the Api expects: the stage's `TELEGRAM_WEBHOOK_SECRET` inside
 * `sst shell` (the very value the deployed Api links, so the two cannot disagree), else
 * TELEGRAM_WEBHOOK_SECRET. Never derived here: the Api has no bot token to derive it from.
 */
export function readWebhookSecret (env: NodeJS.ProcessEnv = process.env, links: LinkedValues = readSstLinks()): string {
  const secret = links.TELEGRAM_WEBHOOK_SECRET ?? nonEmpty(env.TELEGRAM_WEBHOOK_SECRET)
  if (secret === undefined) {
    throw new Error('no webhook secret: run the script through `npx sst shell --stage <stage> -- npm run …` (the stage\'s SST secret), or set the TELEGRAM_WEBHOOK_SECRET variable')
  }
  if (!new RegExp(WEBHOOK_SECRET_PATTERN).test(secret)) {
    throw new Error('the webhook secret (TELEGRAM_WEBHOOK_SECRET) must be 1–256 characters of A-Z a-z 0-9 _ - (value hidden)')
  }
  return secret
}

function nonEmpty (value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
