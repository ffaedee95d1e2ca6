import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'

/**
 * The cold-start baseline: the least a webhook Lambda can do. It parses the API Gateway v2 body and
 * sends it to the FIFO queue with the AWS SDK, nothing else (no framework, no secret check, no schema,
 * no logging). The client is created at module scope, as any Lambda would.
 */
const client = new SQSClient({ region: process.env.AWS_REGION, endpoint: process.env.SQS_ENDPOINT })
const queueUrl = process.env.QUEUE_URL

export async function handler (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const body = event.isBase64Encoded === true ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body ?? ''
  const update = JSON.parse(body) as { update_id: number, message?: { from?: { id: number } } }
  await client.send(new SendMessageCommand({
    QueueUrl: queueUrl,
    MessageBody: body,
    MessageGroupId: String(update.message?.from?.id ?? update.update_id),
    MessageDeduplicationId: String(update.update_id)
  }))
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }
}
