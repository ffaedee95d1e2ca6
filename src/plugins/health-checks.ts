import fp from 'fastify-plugin'

/** A dependency probe for `GET /health?deep=true`: resolves when healthy, rejects otherwise. */
export type HealthCheck = (signal: AbortSignal) => Promise<void>

declare module 'fastify' {
  interface FastifyInstance {
    healthChecks: Map<string, HealthCheck>
  }
}

/** The registry that plugins add their dependency probes to, so the health route needs no knowledge of them. */
export default fp(async (fastify) => {
  fastify.decorate('healthChecks', new Map<string, HealthCheck>())
}, { name: 'health-checks' })
