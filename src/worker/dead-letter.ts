import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import type { FastifyInstance } from 'fastify'
import type { UpdateQueue } from '../plugins/queue.js'
import { chatIdOf, senderIdOf, updateTypeOf, type RawUpdate } from '../telegram/update.js'
import { isPermanentTelegramRefusal, recordLogger, updateOf, withinRecordBudget } from './records.js'

export const APOLOGY = 'Sorry, I could not process your message. Please try again later.'

/**
 * The DLQ's handler: each dead update is first parked (kept 14 days for a redrive, deduplicated by
 * its id, so a retry parks nothing twice), then its sender is told once. Records are independent:
 * one that fails never fails the others.
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
      await parked.send({
        body: record.body,
        groupId: record.attributes.MessageGroupId ?? record.messageId,
        deduplicationId: record.attributes.MessageDeduplicationId ?? record.messageId,
        updateType
      })
      log.error({ updateId: update?.update_id, updateType }, 'update could not be processed and was parked for redrive')

      const chatId = update === undefined || senderIdOf(update) === undefined ? undefined : chatIdOf(update)
      if (chatId === undefined) return
      try {
        await withinRecordBudget(context, async () => { await app.bot.telegram.sendMessage(chatId, APOLOGY) })
      } catch (error) {
        if (!isPermanentTelegramRefusal(error)) throw error
        log.warn({ err: error }, 'could not tell the user their update failed')
      }
    }
    return await processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), { context, throwOnFullBatchFailure: false })
  }
}
