/**
 * The bot's two secrets. Values are set per stage (`npx sst secret set <Name> <value> --stage <stage>`)
 * and reach only the functions that link them, encrypted inside their bundles.
 */
export function createSecrets () {
  return {
    telegramBotToken: new sst.Secret('TelegramBotToken'),
    databaseConnectionString: new sst.Secret('DatabaseConnectionString')
  }
}

export type Secrets = ReturnType<typeof createSecrets>
