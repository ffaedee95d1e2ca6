import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { buildApp, type BuildAppOptions } from '../app.js'
import type { BotCommand } from '../commands/command.js'
import { commands as botCommands } from '../commands/index.js'
import type { Config } from '../config.js'
import bot from '../plugins/bot.js'
import commandsPlugin from '../plugins/commands.js'
import db from '../plugins/db.js'
import metrics from '../plugins/metrics.js'
import updateLedger from '../plugins/update-ledger.js'

/**
 * The plugins only the worker needs, for a registry of commands other than the bot's (a test's): the
 * dispatcher and the database (their local implementations) both know them. Kept out of app.ts so the
 * webhook never loads telegraf, a database driver or the ledger.
 */
export function workerPluginsFor (commands: readonly BotCommand[]): FastifyPluginAsync[] {
  const withCommands = fp(async (app) => {
    await app.register(db, { commands })
    await app.register(commandsPlugin, { commands })
  })
  return [metrics, bot, updateLedger, withCommands]
}

/** The worker's plugins with the bot's own commands (src/commands/index.ts). */
export const workerPlugins: FastifyPluginAsync[] = workerPluginsFor(botCommands)

/** The shared app with metrics, the database, the bot, the update ledger and the command registry; no queue sender, no webhook. It never listens. */
export function buildWorkerApp (config: Config, options: Omit<BuildAppOptions, 'plugins'> = {}): FastifyInstance {
  return buildApp(config, { ...options, plugins: workerPlugins })
}
