import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import type { FastifyInstance } from 'fastify'
import { failureLogFields, isPermanentTelegramRefusal } from '../telegram/refusal.js'
import { recordLogger, updateOf, withinRecordBudget } from './records.js'

/**
 * The worker's batch handler: records in order, and on the first failure of a message group that
 * record and every later one of the same group are reported as failures (Powertools' FIFO processor
 * with skipGroupOnError), while other groups go on. A batch where everything failed is also a list
 * of failures, never a thrown error, so the report always says which records to retry.
 */
export function createBatchHandler (app: FastifyInstance): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return async (event, context) => {
    const processor = new SqsFifoPartialProcessorAsync()
    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const log = recordLogger(app, record)
      app.botMetrics.updateAge(Date.now() - Number(record.attributes.SentTimestamp))
      try {
        const update = updateOf(record)
        await withinRecordBudget(context, () => app.processUpdate(update))
        log.debug({ updateId: update.update_id }, 'update processed')
      } catch (error) {
        if (isPermanentTelegramRefusal(error)) {
          log.warn(failureLogFields(error), 'Telegram refused a call for this update; acknowledged, as a retry would be refused too')
          return
        }
        log.warn(failureLogFields(error), 'update failed; SQS will deliver it again')
        throw error
      }
    }
    try {
      return await processPartialResponse(event, handleRecord, processor, { context, skipGroupOnError: true, throwOnFullBatchFailure: false })
    } finally {
      app.botMetrics.flush()
    }
  }
}
