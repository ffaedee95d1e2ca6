import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import type { FastifyInstance } from 'fastify'
import { callSignal } from '../deadline.js'
import { SQS_SEND_BOUND_MS, type QueuedUpdate, type UpdateQueue } from '../plugins/queue.js'
import { commandForBotIn } from '../telegram/command-text.js'
import { failureLogFields, isPermanentTelegramRefusal } from '../telegram/refusal.js'
import { chatIdOf, senderIdOf, updateTypeOf, type RawUpdate } from '../telegram/update.js'
import { recordLogger, updateOf, withinRecordBudget } from './records.js'

export const APOLOGY = 'Sorry, I could not process your message. Please try again later.'

/**
 * The DLQ's handler. Each dead update is first parked (kept 14 days for a redrive), then, when it held
 * a command for this bot, its sender is told, unless the update's reply had been confirmed sent (then
 * nothing went wrong for the user).
 * Both steps go through the update ledger, so each happens at most once per update, ever, however
 * often the record comes back. Every record runs inside its own deadline within the invocation, so
 * one hanging apology is aborted and never holds the batch past the function's timeout. Records are
 * independent: one that fails never fails the others. Metrics (a ledger that failed after a step) are
 * written once per batch.
 */
export function createDeadLetterHandler (app: FastifyInstance, parked: UpdateQueue): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return async (event, context) => {
    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const log = recordLogger(app, record)
      let update: RawUpdate | undefined
      try {
        update = updateOf(record) as unknown as RawUpdate
      } catch {
        log.error('dead-lettered record is not a Telegram update; parked as it is')
      }
      const updateType = update === undefined ? 'unknown' : updateTypeOf(update)
      const copy: QueuedUpdate = {
        body: record.body,
        groupId: record.attributes.MessageGroupId ?? record.messageId,
        // The update_id again, as the webhook set it: SQS may give a message moved into a DLQ another one.
        deduplicationId: update === undefined ? record.attributes.MessageDeduplicationId ?? record.messageId : String(update.update_id),
        updateType
      }
      await withinRecordBudget(context, async () => {
        const park = async (): Promise<void> => { await parked.send(copy, callSignal(SQS_SEND_BOUND_MS)) }
        // Without an update_id there is nothing to key a ledger record by: SQS's deduplication (5 minutes) is all.
        if (update === undefined) return await park()
        const updateId = update.update_id
        const { remembered } = await app.updateLedger.once(updateId, 'parked', async () => { await park(); return 'parked' })
        log.error({ updateId, updateType, parkedBefore: remembered }, 'update could not be processed and was parked for redrive')

        // Only a command waits for an answer: a plain message or a member update that failed gets no apology.
        const chatId = senderIdOf(update) === undefined ? undefined : chatIdOf(update)
        if (chatId === undefined || commandForBotIn(update, app.bot.botInfo?.username) === undefined) return
        if (await app.updateLedger.completed(updateId, 'reply')) {
          log.info({ updateId }, 'the update\'s reply had been confirmed sent: no apology')
          return
        }
        try {
          await app.updateLedger.once(updateId, 'apology', async () => { await app.bot.telegram.sendMessage(chatId, APOLOGY); return 'sent' })
        } catch (error) {
          if (!isPermanentTelegramRefusal(error)) throw error
          log.warn(failureLogFields(error), 'could not tell the user their update failed')
        }
      })
    }
    try {
      return await processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), { context, throwOnFullBatchFailure: false })
    } finally {
      app.botMetrics.flush()
    }
  }
}
