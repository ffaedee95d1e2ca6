/**
 * The bot's secrets. Values are set per stage (`npx sst secret set <Name> --stage <stage>`) and reach
 * only the functions that link them, encrypted inside their bundles. The webhook secret is its own
 * secret, so that the internet-facing Api holds neither the bot token nor the database string, and
 * `telegram:setup` (run through `sst shell`) registers exactly the value the Api checks.
 */
export function createSecrets () {
  return {
    telegramBotToken: new sst.Secret('TelegramBotToken'),
    telegramWebhookSecret: new sst.Secret('TelegramWebhookSecret'),
    databaseConnectionString: new sst.Secret('DatabaseConnectionString')
  }
}

export type Secrets = ReturnType<typeof createSecrets>
