import type { Context, SQSRecord } from 'aws-lambda'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { TelegramError } from 'telegraf'
import type { Update } from 'telegraf/types'
import { TransientError } from '../errors.js'
import { HANDLER_TIMEOUT_MS } from '../plugins/bot.js'
import { runWithDeadline } from './deadline.js'

/** Time kept back at the end of an invocation for reporting the batch result. */
const INVOCATION_END_MARGIN_MS = 2000

/** Parses a record's body: the update exactly as the webhook queued it. */
export function updateOf (record: SQSRecord): Update {
  const update = JSON.parse(record.body) as Update
  if (!Number.isSafeInteger(update.update_id)) throw new Error('record body is not a Telegram update')
  return update
}

export function recordLogger (app: FastifyInstance, record: SQSRecord): FastifyBaseLogger {
  return app.log.child({
    messageId: record.messageId,
    groupId: record.attributes.MessageGroupId,
    receiveCount: Number(record.attributes.ApproximateReceiveCount)
  })
}

/**
 * Telegram refused for good because of the chat or the request (400 bad request, 403 blocked by the
 * user): a retry would be refused again. 401/404 mean our token or API root is wrong: those are retried,
 * so they end in the DLQ and its alarm instead of being acknowledged.
 */
export function isPermanentTelegramRefusal (error: unknown): boolean {
  return error instanceof TelegramError && (error.code === 400 || error.code === 403)
}

/**
 * Runs `work` for one record with a deadline of one Telegraf handler timeout. A record is only
 * started when the invocation can still afford that: a record cut off by the Lambda timeout
 * would come back with the whole batch and run its side effects twice.
 */
export async function withinRecordBudget (context: Pick<Context, 'getRemainingTimeInMillis'>, work: () => Promise<void>): Promise<void> {
  const remaining = context.getRemainingTimeInMillis() - INVOCATION_END_MARGIN_MS
  if (remaining < HANDLER_TIMEOUT_MS) throw new TransientError('not started: too little time left in this invocation')
  await runWithDeadline(Date.now() + HANDLER_TIMEOUT_MS, work)
}
