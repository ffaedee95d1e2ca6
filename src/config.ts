import { createHmac } from 'node:crypto'
import { Resource } from 'sst/resource'
import { Literal, Object as ObjectSchema, Optional, String as StringSchema, Union, type Static } from 'typebox'
import { Check, Errors } from 'typebox/value'
import type { TLocalizedValidationError } from 'typebox/error'

/** A pattern source matching `word` in any letter case: SQL Server's keywords are case-insensitive, and schema patterns take no flags. */
const anyCase = (word: string): string => word.replace(/[a-z]/g, (letter) => `[${letter}${letter.toUpperCase()}]`)
const SQL_SERVER_HOST_KEYWORDS = ['server', 'data source', 'address', 'addr', 'network address'].map(anyCase).join('|')

/** What Telegram accepts as a webhook's `secret_token` (and so what the webhook can expect). */
export const WEBHOOK_SECRET_PATTERN = '^[A-Za-z0-9_-]{1,256}$'

/**
 * The one configuration of the bot, as environment variables. Every value is a string here;
 * `loadConfig` validates them all at once and turns them into the typed `Config`.
 * A schema's `description` is the hint printed when the value is malformed (never the value itself).
 */
const EnvSchema = ObjectSchema({
  TELEGRAM_BOT_TOKEN: Optional(StringSchema({ pattern: '^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$', description: 'a BotFather token such as 123456:ABC…' })),
  TELEGRAM_API_ROOT: StringSchema({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', description: 'an http(s) URL' }),
  TELEGRAM_BOT_USERNAME: Optional(StringSchema({ pattern: '^@?[A-Za-z][A-Za-z0-9_]{3,31}$', description: 'a bot username of 4–32 letters, digits or _' })),
  TELEGRAM_WEBHOOK_SECRET: Optional(StringSchema({ pattern: WEBHOOK_SECRET_PATTERN, description: '1–256 characters of A-Z a-z 0-9 _ -' })),
  TELEGRAM_POLL: Optional(StringSchema({ pattern: '^[01]$', description: '0 or 1' })),
  TELEGRAM_PRIVACY_MODE: Optional(StringSchema({ pattern: '^[01]$', description: '0 or 1' })),
  DATABASE_CONNECTION_STRING: StringSchema({ pattern: `^(sqlite:.+|mssql://.+|.*(^|;)\\s*(${SQL_SERVER_HOST_KEYWORDS})\\s*=.+)$`, description: 'Server=…;…, mssql://… or sqlite:PATH' }),
  DEV_ACCOUNTS: StringSchema({ pattern: '^([^:,\\s]{1,128}:[^,\\s]{1,512})(,[^:,\\s]{1,128}:[^,\\s]{1,512})*$', description: 'user:token pairs separated by commas' }),
  QUEUE_URL: Optional(StringSchema({ pattern: '^https?://[^\\s/]+/[^\\s]+\\.fifo$', description: 'the URL of an SQS FIFO queue (ending in .fifo)' })),
  PARKED_QUEUE_URL: Optional(StringSchema({ pattern: '^https?://[^\\s/]+/[^\\s]+\\.fifo$', description: 'the URL of an SQS FIFO queue (ending in .fifo)' })),
  SQS_ENDPOINT: Optional(StringSchema({ pattern: '^https?://[^\\s/]+/?$', description: 'an http(s) URL' })),
  LEDGER_TABLE: Optional(StringSchema({ pattern: '^[A-Za-z0-9_.-]{3,255}$', description: 'a DynamoDB table name (3–255 of A-Z a-z 0-9 _ . -)' })),
  DYNAMODB_ENDPOINT: Optional(StringSchema({ pattern: '^https?://[^\\s/]+/?$', description: 'an http(s) URL' })),
  AWS_REGION: StringSchema({ pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]$', description: 'an AWS region such as us-east-1' }),
  HOST: StringSchema({ minLength: 1, pattern: '^[^\\s]+$', description: 'a host name or address' }),
  PORT: StringSchema({ pattern: '^([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$', description: 'a port number 0–65535' }),
  LOG_LEVEL: Union([Literal('fatal'), Literal('error'), Literal('warn'), Literal('info'), Literal('debug'), Literal('trace'), Literal('silent')], { description: 'one of fatal, error, warn, info, debug, trace, silent' })
})

type Env = Static<typeof EnvSchema>
type EnvName = keyof Env

/** Variables whose values are credentials: never printed, not even when malformed. */
const SECRET_NAMES: ReadonlySet<EnvName> = new Set(['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'DATABASE_CONNECTION_STRING', 'DEV_ACCOUNTS'])

const DEFAULTS: Partial<Env> = {
  TELEGRAM_API_ROOT: 'https://api.telegram.org',
  DATABASE_CONNECTION_STRING: 'sqlite:.data/local.sqlite',
  DEV_ACCOUNTS: 'demo:demo-token',
  AWS_REGION: 'us-east-1',
  HOST: '127.0.0.1',
  PORT: '3000',
  LOG_LEVEL: 'info'
}

export interface DevAccount { username: string, token: string }

export interface Config {
  telegram: {
    /** Absent only in the local runtime before it starts its Telegram emulator. */
    botToken?: string
    apiRoot: string
    /** Without the leading @; absent means one getMe per cold start. */
    botUsername?: string
    /** Given, or derived from the token; absent when neither is set. */
    webhookSecret?: string
    /** Local runtime: relay getUpdates into the webhook. Absent means "when a token is set". */
    poll?: boolean
    /** Local runtime's Telegram emulator: the bot in Telegram's privacy mode (groups: commands, replies, mentions only). */
    emulatedPrivacyMode: boolean
  }
  database: { connectionString: string, devAccounts: DevAccount[] }
  /** `parkedUrl`: where the dead-letter handler keeps dead updates for redrive. */
  queue: { url?: string, parkedUrl?: string, endpoint?: string, region: string }
  /** The update ledger's DynamoDB table; `endpoint` only for a local DynamoDB (dynalite). */
  ledger: { table?: string, endpoint?: string, region: string }
  server: { host: string, port: number }
  logLevel: Env['LOG_LEVEL']
}

export type LogLevel = Config['logLevel']

/** A configuration problem: its message is one line that names the variable and never holds a value. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Values that SST links into a function; each wins over its environment variable. */
export type LinkedValues = Partial<Pick<Env, 'TELEGRAM_BOT_TOKEN' | 'TELEGRAM_WEBHOOK_SECRET' | 'DATABASE_CONNECTION_STRING' | 'QUEUE_URL' | 'PARKED_QUEUE_URL' | 'LEDGER_TABLE'>>

/** Reads the SST links this bot defines, checking each name before touching it (Resource throws on unknown names). */
export function readSstLinks (resource: Record<string, unknown> = Resource as unknown as Record<string, unknown>): LinkedValues {
  const field = (name: string, key: 'value' | 'url' | 'name'): string | undefined => {
    if (!(name in resource)) return undefined
    const value = (resource[name] as Record<string, unknown> | undefined)?.[key]
    return typeof value === 'string' ? value : undefined
  }
  const links: LinkedValues = {
    TELEGRAM_BOT_TOKEN: field('TELEGRAM_BOT_TOKEN', 'value'),
    TELEGRAM_WEBHOOK_SECRET: field('TELEGRAM_WEBHOOK_SECRET', 'value'),
    DATABASE_CONNECTION_STRING: field('DATABASE_CONNECTION_STRING', 'value'),
    QUEUE_URL: field('Updates', 'url'),
    PARKED_QUEUE_URL: field('UpdatesParked', 'url'),
    LEDGER_TABLE: field('UpdateLedger', 'name')
  }
  return Object.fromEntries(Object.entries(links).filter(([, value]) => value !== undefined))
}

/**
 * Builds the configuration from SST links (when present), environment variables and defaults.
 * Throws a ConfigError naming the first malformed variable.
 */
export function loadConfig (env: NodeJS.ProcessEnv = process.env, links: LinkedValues = readSstLinks()): Config {
  const raw: Record<string, string> = {}
  for (const name of Object.keys(EnvSchema.properties) as EnvName[]) {
    // An empty variable counts as unset, as shells and .env files commonly leave them.
    const value = links[name as keyof LinkedValues] ?? (env[name] === '' ? undefined : env[name]) ?? DEFAULTS[name]
    if (value !== undefined) raw[name] = value
  }
  if (!Check(EnvSchema, raw)) {
    const [first] = Errors(EnvSchema, raw)
    throw describe(first as TLocalizedValidationError)
  }
  const values = raw as Env
  const token = values.TELEGRAM_BOT_TOKEN
  return {
    telegram: {
      botToken: token,
      apiRoot: values.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
      botUsername: values.TELEGRAM_BOT_USERNAME?.replace(/^@/, ''),
      webhookSecret: values.TELEGRAM_WEBHOOK_SECRET ?? (token === undefined ? undefined : deriveWebhookSecret(token)),
      poll: values.TELEGRAM_POLL === undefined ? undefined : values.TELEGRAM_POLL === '1',
      emulatedPrivacyMode: values.TELEGRAM_PRIVACY_MODE === '1'
    },
    database: {
      connectionString: values.DATABASE_CONNECTION_STRING,
      devAccounts: values.DEV_ACCOUNTS.split(',').map((pair) => {
        const at = pair.indexOf(':')
        return { username: pair.slice(0, at), token: pair.slice(at + 1) }
      })
    },
    queue: { url: values.QUEUE_URL, parkedUrl: values.PARKED_QUEUE_URL, endpoint: values.SQS_ENDPOINT, region: values.AWS_REGION },
    ledger: { table: values.LEDGER_TABLE, endpoint: values.DYNAMODB_ENDPOINT, region: values.AWS_REGION },
    server: { host: values.HOST, port: Number(values.PORT) },
    logLevel: values.LOG_LEVEL
  }
}

/**
 * The one line for a failed check. Every variable is optional or has a default (the defaults test
 * pins this), so a failure is always one variable's malformed value, and every variable has a hint.
 */
function describe (error: TLocalizedValidationError): ConfigError {
  const name = error.instancePath.replace(/^\//, '') as EnvName
  const kind = SECRET_NAMES.has(name) ? ' (value hidden)' : ''
  return new ConfigError(`${name} is malformed${kind}: expected ${(EnvSchema.properties[name] as unknown as { description: string }).description}`)
}

/** Telegram's secret header value derived from the bot token, so one secret serves both. */
export function deriveWebhookSecret (botToken: string): string {
  return createHmac('sha256', botToken).update('telegram-webhook-secret').digest('base64url')
}

/** Fails start-up, with one line, when a setting the caller cannot run without is absent. */
export function requireSetting<T> (value: T | undefined, variable: string): T {
  if (value === undefined) throw new ConfigError(`${variable} is required`)
  return value
}
