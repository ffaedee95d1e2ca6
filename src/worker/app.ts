import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { buildApp, type BuildAppOptions } from '../app.js'
import type { Config } from '../config.js'
import bot from '../plugins/bot.js'
import commands from '../plugins/commands.js'
import db from '../plugins/db.js'
import updateLedger from '../plugins/update-ledger.js'

/** The plugins only the worker needs; kept out of app.ts so the webhook never loads telegraf, a database driver or the ledger. */
export const workerPlugins: FastifyPluginAsync[] = [db, bot, updateLedger, commands as FastifyPluginAsync]

/** The same app as the webhook's, plus the database, the bot and the command registry. It never listens. */
export function buildWorkerApp (config: Config, options: Omit<BuildAppOptions, 'plugins'> = {}): FastifyInstance {
  return buildApp(config, { ...options, plugins: workerPlugins })
}
