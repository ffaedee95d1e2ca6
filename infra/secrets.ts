/**
 * The bot's secrets. Values are set per stage (`npx sst secret set <Name> --stage <stage>`) and reach
 * only the functions that link them, encrypted inside their bundles. The webhook secret is its own
 * secret, so that the internet-facing Api holds neither the bot token nor the database string, and
 * `telegram:setup` (run through `sst shell`) registers exactly the value the Api checks.
 */
export function createSecrets () {
  return {
    telegramBotToken: new sst.Secret('TELEGRAM_BOT_TOKEN'),
    telegramWebhookSecret: new sst.Secret('TELEGRAM_WEBHOOK_SECRET'),
    databaseConnectionString: new sst.Secret('DATABASE_CONNECTION_STRING')
  }
}

export type Secrets = ReturnType<typeof createSecrets>
