import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync } from 'fastify'
import type { DestinationStream } from 'pino'
import type { Config } from './config.js'
import { loggerOptions } from './logger.js'
import configPlugin from './plugins/config.js'
import errorHandler from './plugins/error-handler.js'
import healthChecks from './plugins/health-checks.js'
import health from './routes/health.js'
import { schemaCompilers } from './schema-compilers.js'

export interface BuildAppOptions {
  /** Plugins registered after the shared ones and before the routes (the webhook's queue; the worker's db, bot and commands). */
  plugins?: FastifyPluginAsync[]
  /** Routes registered after `GET /health` (the webhook, where the entry serves it). */
  routes?: FastifyPluginAsync[]
  /** Where log lines go (stdout by default); tests capture them here. */
  logDestination?: DestinationStream
}

/** The secrets that must never reach a log line, as configured. */
export function secretsOf (config: Config): string[] {
  return [config.telegram.botToken, config.telegram.webhookSecret, config.database.connectionString,
    ...config.database.devAccounts.map((account) => account.token)].filter((value): value is string => value !== undefined)
}

/**
 * The bot as one Fastify app: the shared plugins, the entry's own plugins, then routes. It never
 * listens; `server.ts` and the Lambda entries decide how requests and queue records reach it, and
 * which parts they need (src/webhook-app.ts, src/worker/app.ts).
 */
export function buildApp (config: Config, options: BuildAppOptions = {}): FastifyInstance {
  const app: FastifyInstance = Fastify({
    logger: { ...loggerOptions(config.logLevel, secretsOf(config)), stream: options.logDestination },
    // The webhook logs one line per update itself; per-request lines would double it.
    logController: new LogController({ disableRequestLogging: true }),
    // Telegram's webhook never needs these; trusting them would let callers spoof addresses.
    trustProxy: false,
    return503OnClosing: true,
    // TypeBox validation (bodies never coerced: "77" is not an update_id) and JSON.stringify responses,
    // given here so Fastify never builds Ajv or fast-json-stringify (see src/schema-compilers.ts).
    schemaController: { compilersFactory: schemaCompilers }
  })

  app.register(configPlugin, { config })
  app.register(healthChecks)
  app.register(errorHandler)
  for (const plugin of options.plugins ?? []) app.register(plugin)

  app.register(health)
  for (const route of options.routes ?? []) app.register(route)
  return app
}
