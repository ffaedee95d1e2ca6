import type { SQSRecord } from 'aws-lambda'
import type { BatchHandler } from './queue-poller.js'
import type { TelegramEmulator } from './telegram-emulator.js'

function updateIdOf (record: SQSRecord): number | undefined {
  try {
    const updateId = (JSON.parse(record.body) as { update_id?: unknown }).update_id
    return typeof updateId === 'number' ? updateId : undefined
  } catch {
    return undefined
  }
}

/**
 * The handler, telling the embedded Telegram emulator what became of each update of a batch once the batch
 * is done: the worker's `processed` or `failed` (per its batch response), or `dead-lettered` for the
 * dead-letter handler. Only the local runtime does this, for `npm run chat`.
 */
export function reportingTo (emulator: TelegramEmulator, handler: BatchHandler, role: 'worker' | 'dead-letter'): BatchHandler {
  return async (event, context) => {
    const response = await handler(event, context)
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier))
    for (const record of event.Records) {
      const updateId = updateIdOf(record)
      if (updateId === undefined) continue
      emulator.reportProcessing(updateId, role === 'dead-letter' ? 'dead-lettered' : failed.has(record.messageId) ? 'failed' : 'processed')
    }
    return response
  }
}
