import type { Context, SQSRecord } from 'aws-lambda'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Update } from 'telegraf/types'
import { RECORD_BUDGET } from '../../infra/settings.js'
import { runWithDeadline } from '../deadline.js'
import { TransientError } from '../errors.js'

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
 * Runs `work` for one record with a deadline of what is left of the invocation, minus the time to
 * report the batch. Every outbound call of the record is bounded by it and aborted when it passes
 * (src/deadline.ts), and the record then fails at once, so a hanging call never holds the batch past
 * the Lambda timeout (which would put the whole batch back). A record with no time left is not started.
 */
export async function withinRecordBudget (context: Pick<Context, 'getRemainingTimeInMillis'>, work: () => Promise<void>): Promise<void> {
  const budget = context.getRemainingTimeInMillis() - RECORD_BUDGET.reportingMarginMs
  if (budget <= 0) throw new TransientError('not started: no time left in this invocation')
  await runWithDeadline(Date.now() + budget, work)
}
