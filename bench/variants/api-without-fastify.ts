import { createHash, timingSafeEqual } from 'node:crypto'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { pino } from 'pino'
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { loadConfig, requireSetting } from '../../src/config.js'
import { loggerOptions } from '../../src/logger.js'
import { createSqsQueue } from '../../src/plugins/queue.js'
import { messageGroupIdOf, updateTypeOf, type RawUpdate } from '../../src/telegram/update.js'

/**
 * What-if: the Api Lambda's webhook without Fastify — the same configuration, secret check, schema,
 * queue client and log line, straight on the API Gateway v2 event. A sketch for measuring, not a
 * drop-in (no /health, no 413/415 details): it shows what the framework costs at cold start.
 */
const config = loadConfig()
const log = pino(loggerOptions(config.logLevel, []))
const queue = createSqsQueue(config.queue, requireSetting(config.queue.url, 'QUEUE_URL'))
const expected = createHash('sha256').update(requireSetting(config.telegram.webhookSecret, 'TELEGRAM_WEBHOOK_SECRET')).digest()
const checkUpdate = Compile(Type.Object({ update_id: Type.Integer({ minimum: 0 }) }, { additionalProperties: true }))

const answer = (statusCode: number, body: object): APIGatewayProxyStructuredResultV2 =>
  ({ statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) })

export async function handler (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const received = event.headers['x-telegram-bot-api-secret-token']
  if (received === undefined || !timingSafeEqual(createHash('sha256').update(received).digest(), expected)) return answer(401, { error: 'Unauthorized' })
  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body ?? ''
  let update: unknown
  try { update = JSON.parse(text) } catch { return answer(400, { error: 'Bad Request' }) }
  if (!checkUpdate.Check(update)) return answer(400, { error: 'Bad Request' })
  const raw = update as RawUpdate
  try {
    await queue.send({ body: text, groupId: messageGroupIdOf(raw), deduplicationId: String(raw.update_id), updateType: updateTypeOf(raw) })
  } catch {
    return { ...answer(503, { error: 'Service Unavailable' }), headers: { 'retry-after': '5' } }
  }
  log.info({ updateId: raw.update_id, updateType: updateTypeOf(raw) }, 'update queued')
  return answer(200, { ok: true })
}
