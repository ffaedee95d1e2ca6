import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import awsLambdaFastify from '@fastify/aws-lambda'
import Fastify from 'fastify'
import { schemaCompilers } from '../../src/schema-compilers.js'

/**
 * What-if floor: the least a Fastify-based Api Lambda can be. Fastify behind @fastify/aws-lambda with
 * one route that parses the body and calls SendMessage: no config validation, schemas, secret check
 * or logging. It gives Fastify the app's compilers, as any Fastify in these bundles must (the stand-ins
 * for Fastify's defaults throw: infra/lambda-stubs/). Whatever the app adds on top of this is the app's own share of the cold start.
 */
const client = new SQSClient({ region: process.env.AWS_REGION, endpoint: process.env.SQS_ENDPOINT })
const queueUrl = process.env.QUEUE_URL
const app = Fastify({ schemaController: { compilersFactory: schemaCompilers } })
app.post('/telegram/webhook', async (request) => {
  const update = request.body as { update_id: number, message?: { from?: { id: number } } }
  await client.send(new SendMessageCommand({
    QueueUrl: queueUrl,
    MessageBody: JSON.stringify(update),
    MessageGroupId: String(update.message?.from?.id ?? update.update_id),
    MessageDeduplicationId: String(update.update_id)
  }))
  return { ok: true }
})
export const handler = awsLambdaFastify(app, { callbackWaitsForEmptyEventLoop: false })
await app.ready()
