import { readFileSync } from 'node:fs'
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda'
import { toSqsRecord } from '../src/local/queue-poller.js'
import { messageGroupIdOf } from '../src/telegram/update.js'
import { withUpdate, type Update } from './webhook-event.js'

export { FIXTURE_SECRET, textUpdate } from './webhook-event.js'

/** The webhook call of test/fixtures (API Gateway HTTP API, payload v2). */
export const WEBHOOK_TEMPLATE = JSON.parse(readFileSync(new URL('../test/fixtures/apigw-v2-webhook.json', import.meta.url), 'utf8')) as APIGatewayProxyEventV2

/** The fixture's webhook call carrying `update`. */
export function webhookEvent (update: Update): APIGatewayProxyEventV2 {
  return withUpdate(WEBHOOK_TEMPLATE, update)
}

/** One SQS FIFO batch of one record carrying `update`, as Lambda's event source delivers it to the Worker. */
export function sqsBatchEvent (update: Update, sequence: number): SQSEvent {
  const record = toSqsRecord({
    MessageId: `bench-message-${sequence}`,
    ReceiptHandle: `bench-receipt-${sequence}`,
    Body: JSON.stringify(update),
    MD5OfBody: '',
    Attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      MessageGroupId: messageGroupIdOf(update),
      MessageDeduplicationId: String(update.update_id),
      SequenceNumber: String(sequence)
    }
  }, 'arn:aws:sqs:us-east-1:123456789012:updates.fifo', 'us-east-1')
  return { Records: [record] }
}
