import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Literal, Number as NumberSchema, Object as ObjectSchema, Optional, Record as RecordSchema, String as StringSchema, Union } from 'typebox'
import packageJson from '../../package.json' with { type: 'json' }

/** Each dependency probe gets this long; a hung dependency must not hang the health check. */
export const HEALTH_CHECK_TIMEOUT_MS = 1500

const CheckStatus = Union([Literal('ok'), Literal('failed'), Literal('timeout')])

const HealthReport = ObjectSchema({
  status: Union([Literal('ok'), Literal('degraded')]),
  version: StringSchema(),
  uptime: NumberSchema({ description: 'seconds since this process started' }),
  checks: Optional(RecordSchema(StringSchema(), CheckStatus))
})

/** Liveness for load balancers and operators; `?deep=true` also probes every registered dependency. */
const health: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/health', {
    schema: {
      querystring: ObjectSchema({ deep: Optional(Union([Literal('true'), Literal('false')])) }),
      response: { 200: HealthReport, 503: HealthReport }
    }
  }, async (request, reply) => {
    const report = { status: 'ok' as 'ok' | 'degraded', version: packageJson.version, uptime: Math.round(process.uptime()) }
    if (request.query.deep !== 'true') return report

    const entries = await Promise.all([...fastify.healthChecks].map(async ([name, check]) => {
      const signal = AbortSignal.timeout(HEALTH_CHECK_TIMEOUT_MS)
      try {
        await Promise.race([check(signal), new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)))])
        return [name, 'ok'] as const
      } catch (error) {
        request.log.warn({ err: error, check: name }, 'health check failed')
        return [name, signal.aborted ? 'timeout' : 'failed'] as const
      }
    }))
    const checks = Object.fromEntries(entries)
    const healthy = entries.every(([, status]) => status === 'ok')
    return reply.code(healthy ? 200 : 503).send({ ...report, status: healthy ? 'ok' : 'degraded', checks })
  })
}

export default health
