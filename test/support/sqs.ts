import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs'
import { startFauxqs } from 'fauxqs'

export type SqsEmulator = Awaited<ReturnType<typeof startFauxqs>>

/** An in-process SQS emulator speaking the real SQS protocol on a free loopback port. */
export async function startSqsEmulator (): Promise<SqsEmulator> {
  return await startFauxqs({ port: 0, logger: false })
}

/** A FIFO queue with explicit deduplication ids, as the deployed Updates queue. */
export function createFifoQueue (sqs: SqsEmulator, name: string): string {
  return sqs.createQueue(`${name}.fifo`, { attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } }).queueUrl
}

export function sqsClient (sqs: SqsEmulator): SQSClient {
  return new SQSClient({ region: 'us-east-1', endpoint: sqs.address, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
}

/** Receives (and deletes) every message currently visible in a queue. */
export async function drainQueue (client: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = []
  for (;;) {
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All']
    }))
    if (Messages.length === 0) return messages
    for (const message of Messages) {
      messages.push(message)
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }))
    }
  }
}
