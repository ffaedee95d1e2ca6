import fp from 'fastify-plugin'
import { openRegistrationStore } from '../db/open-registration-store.js'
import type { RegistrationStore } from '../db/registration-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    registrations: RegistrationStore
  }
}

/** The platform's registration store, chosen by DATABASE_CONNECTION_STRING; closed with the app. */
export default fp(async (fastify) => {
  const store = await openRegistrationStore(fastify.config.database)
  fastify.decorate('registrations', store)
  fastify.healthChecks.set('database', (signal) => store.check(signal))
  fastify.addHook('onClose', async () => { await store.close() })
}, { name: 'db', dependencies: ['config', 'health-checks'] })
