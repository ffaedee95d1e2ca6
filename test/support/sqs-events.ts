import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { toSqsRecord } from '../../src/local/queue-poller.js'
import { messageGroupIdOf, type RawUpdate } from '../../src/telegram/update.js'

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:updates.fifo'
let sequence = 0

/** An SQS record carrying a Telegram update as the webhook queues it, as Lambda's event source delivers it. */
export function updateRecord (update: object, receiveCount = 1): SQSRecord {
  const raw = update as RawUpdate
  sequence++
  return toSqsRecord({
    MessageId: `message-${sequence}`,
    ReceiptHandle: `receipt-${sequence}`,
    Body: JSON.stringify(update),
    Attributes: {
      ApproximateReceiveCount: String(receiveCount),
      MessageGroupId: messageGroupIdOf(raw),
      MessageDeduplicationId: String(raw.update_id),
      SequenceNumber: String(sequence)
    }
  }, QUEUE_ARN, 'us-east-1')
}

export function sqsEvent (records: SQSRecord[]): SQSEvent {
  return { Records: records }
}
