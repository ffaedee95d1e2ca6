import { STATUS_CODES } from 'node:http'
import type { FastifyError } from 'fastify'
import fp from 'fastify-plugin'

/** Seconds Telegram (or any client) is asked to wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 5

/**
 * One error shape for every route: 4xx carry Fastify's reason (about the request's form, never its values),
 * 5xx carry only their status name, and are logged with the request id.
 */
export default fp(async (fastify) => {
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
    if (statusCode >= 500) {
      request.log.error({ err: error, statusCode }, 'request failed')
      if (statusCode === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS))
      return reply.code(statusCode).send({ error: statusName(statusCode) })
    }
    request.log.info({ statusCode, code: error.code }, 'request rejected')
    return reply.code(statusCode).send({ error: statusName(statusCode), message: error.message })
  })

  fastify.setNotFoundHandler((request, reply) => {
    return reply.code(404).send({ error: statusName(404), message: `Route ${request.method} not found` })
  })
}, { name: 'error-handler' })

function statusName (statusCode: number): string {
  return STATUS_CODES[statusCode] ?? 'Error'
}
