import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Integer, Literal, Object as ObjectSchema, Optional, String as StringSchema } from 'typebox'
import { requireSetting } from '../config.js'
import { messageGroupIdOf, updateTypeOf, type RawUpdate } from '../telegram/update.js'

/** Telegram's updates are a few kB; this bound also keeps every update far below SQS's message size limit. */
export const WEBHOOK_BODY_LIMIT_BYTES = 128 * 1024

const SECRET_HEADER = 'x-telegram-bot-api-secret-token'

// Telegram adds fields and update types over time: only update_id is required, and nothing else is checked.
// Its bound is the worker's (src/worker/records.ts): an id the worker cannot read exactly (1e21, 2^53 + 2)
// would be retried 5 times and parked without a word to the user, so it is refused here.
const TelegramUpdate = ObjectSchema({ update_id: Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }) }, { additionalProperties: true })

/**
 * UTF-16 code units that SQS refuses in a message body: SQS takes only #x9 #xA #xD #x20–#xD7FF
 * #xE000–#xFFFD #x10000–#x10FFFF, and the embedded emulator (fauxqs) checks code units, so it also
 * refuses every character above U+FFFF (emoji). Without the `u` flag this matches each half of a pair.
 */
const NOT_SQS_SAFE = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd]/g

/**
 * The body with every code unit SQS (or its emulator) would refuse written as a JSON `\uXXXX` escape.
 * Only a parsed body comes here, and outside strings valid JSON is ASCII, so every such unit is inside
 * a string, where the escape means the same character: the update stays the same, byte for byte
 * wherever it was already safe. Without this, a message with an emoji (local) or U+FFFF (SQS) got a
 * 503 forever, and Telegram's retries of it held back every later update of that chat.
 */
export function sqsSafeJson (text: string): string {
  return text.replace(NOT_SQS_SAFE, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** A constant body without a `method` field, so Telegram can never read the answer as a Bot API call. */
const ACCEPTED = { ok: true } as const

/** Both sides are compared as SHA-256 digests: the same length, so the comparison time says nothing about the secret. */
function secretDigest (value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/** Telegram's webhook: authenticate, validate, enqueue, and only then answer 200. */
const telegramWebhook: FastifyPluginAsyncTypebox = async (fastify) => {
  // Hashed once here rather than on every call.
  const expectedDigest = secretDigest(requireSetting(fastify.config.telegram.webhookSecret, 'TELEGRAM_WEBHOOK_SECRET (or TELEGRAM_BOT_TOKEN)'))

  // This plugin is its own encapsulation context, so its parsers apply to the webhook alone:
  // only JSON is accepted (415 for anything else, rather than a text body failing the schema),
  // and the text is kept so that the queue gets the update as received, not a re-serialised copy
  // (which would change escapes, number forms and whitespace).
  const receivedText = new WeakMap<FastifyRequest, string>()
  const parseJson = fastify.getDefaultJsonParser('error', 'ignore')
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    // The parser skips a leading byte-order mark and JSON.parse (the worker's) does not: keep it out of the queue.
    receivedText.set(request, (text as string).replace(/^\uFEFF/, ''))
    parseJson(request, text as string, done)
  })

  fastify.post('/telegram/webhook', {
    bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
    schema: {
      headers: ObjectSchema({ [SECRET_HEADER]: Optional(StringSchema()) }),
      body: TelegramUpdate,
      response: {
        200: ObjectSchema({ ok: Literal(true) }),
        401: ObjectSchema({ error: StringSchema(), message: StringSchema() })
      }
    },
    // onRequest runs before the body is read or parsed: an unauthenticated caller costs nothing more.
    onRequest: async (request, reply) => {
      const received = request.headers[SECRET_HEADER]
      if (typeof received !== 'string' || !timingSafeEqual(secretDigest(received), expectedDigest)) {
        request.log.info('webhook call with a missing or wrong secret token')
        return reply.code(401).send({ error: 'Unauthorized', message: 'missing or wrong X-Telegram-Bot-Api-Secret-Token' })
      }
    }
  }, async (request) => {
    const update = request.body as RawUpdate
    const queued = {
      // Set by the parser above, the only way a body reaches this handler.
      body: sqsSafeJson(receivedText.get(request) as string),
      groupId: messageGroupIdOf(update),
      deduplicationId: String(update.update_id),
      updateType: updateTypeOf(update)
    }
    await fastify.updateQueue.send(queued)
    request.log.info({ updateId: update.update_id, updateType: queued.updateType, groupId: queued.groupId }, 'update queued')
    return ACCEPTED
  })
}

export default telegramWebhook
