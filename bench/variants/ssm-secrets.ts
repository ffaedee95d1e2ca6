import { getParametersByName } from '@aws-lambda-powertools/parameters/ssm'

/**
 * What the Worker would do first if its secrets were SSM SecureString parameters instead of SST links:
 * one GetParameters call (decrypted, cached for the container's life as Powertools Parameters keeps
 * them) whose values become the variables the app's configuration reads. Imported before the Worker,
 * so its top-level await finishes before the app reads its configuration.
 */
const parameters = {
  TELEGRAM_BOT_TOKEN: process.env.TELEGRAM_BOT_TOKEN_PARAMETER ?? '',
  DATABASE_CONNECTION_STRING: process.env.DATABASE_CONNECTION_STRING_PARAMETER ?? ''
}
const values = await getParametersByName<string>(
  Object.fromEntries(Object.values(parameters).map((name) => [name, {}])),
  { decrypt: true, maxAge: 24 * 3600, throwOnError: true }
)
for (const [variable, name] of Object.entries(parameters)) process.env[variable] = values[name]
