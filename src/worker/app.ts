import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { buildApp, type BuildAppOptions } from '../app.js'
import type { Config } from '../config.js'
import bot from '../plugins/bot.js'
import commands from '../plugins/commands.js'
import db from '../plugins/db.js'
import metrics from '../plugins/metrics.js'
import updateLedger from '../plugins/update-ledger.js'

/** The plugins only the worker needs; kept out of app.ts so the webhook never loads telegraf, a database driver or the ledger. */
export const workerPlugins: FastifyPluginAsync[] = [metrics, db, bot, updateLedger, commands as FastifyPluginAsync]

/** The shared app with metrics, the database, the bot, the update ledger and the command registry; no queue sender, no webhook. It never listens. */
export function buildWorkerApp (config: Config, options: Omit<BuildAppOptions, 'plugins'> = {}): FastifyInstance {
  return buildApp(config, { ...options, plugins: workerPlugins })
}
