import fp from 'fastify-plugin'
import type { BotCommand } from '../commands/command.js'
import { commands as allCommands } from '../commands/index.js'
import type { Database } from '../db/database.js'
import { openDatabase } from '../db/open-database.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The platform's database, through the one port: `app.database.call(contract, input)`. */
    database: Database
  }
}

/**
 * The platform's database, chosen by DATABASE_CONNECTION_STRING; closed with the app. With the embedded
 * SQLite database, the registry's commands (`commands`, the bot's by default) bring their local implementations.
 */
export default fp<{ commands?: readonly BotCommand[] }>(async (fastify, options) => {
  const locals = (options.commands ?? allCommands).flatMap((command) => command.local === undefined ? [] : [command.local])
  const database = await openDatabase(fastify.config.database, locals)
  fastify.decorate('database', database)
  fastify.healthChecks.set('database', (signal) => database.check(signal))
  fastify.addHook('onClose', async () => { await database.close() })
}, { name: 'db', dependencies: ['config', 'health-checks'] })
