import { SQSClient } from '@aws-sdk/client-sqs'
import { startFauxqs } from 'fauxqs'

export interface EmbeddedQueues {
  endpoint: string
  client: SQSClient
  updates: { url: string, arn: string }
  deadLetters: { url: string, arn: string }
  parked: { url: string, arn: string }
  stop: () => Promise<void>
}

export interface EmbeddedQueueOptions {
  region: string
  /** How long a failed record stays invisible before it is received again. */
  visibilityTimeoutSeconds: number
  /** Receives before a record moves to the DLQ, as in sst.config.ts. */
  maxReceiveCount: number
}

/** The deployed queue topology (FIFO updates → FIFO DLQ → parked), in-process on a free loopback port. */
export async function startEmbeddedQueues (options: EmbeddedQueueOptions): Promise<EmbeddedQueues> {
  const sqs = await startFauxqs({ port: 0, logger: false, defaultRegion: options.region })
  const fifo = (name: string, extra: Record<string, string> = {}): { url: string, arn: string } => {
    const { queueUrl, queueArn } = sqs.createQueue(`${name}.fifo`, {
      attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false', VisibilityTimeout: String(options.visibilityTimeoutSeconds), ...extra }
    })
    return { url: queueUrl, arn: queueArn }
  }
  const redriveTo = (target: { arn: string }, maxReceiveCount: number): Record<string, string> => ({
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: target.arn, maxReceiveCount: String(maxReceiveCount) })
  })
  const parked = fifo('updates-parked')
  // A moved message may keep its receive count: the DLQ's own limit counts the updates queue's receives too.
  const deadLetters = fifo('updates-dlq', redriveTo(parked, 2 * options.maxReceiveCount))
  const updates = fifo('updates', redriveTo(deadLetters, options.maxReceiveCount))
  const client = new SQSClient({ region: options.region, endpoint: sqs.address, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
  return {
    endpoint: sqs.address,
    client,
    updates,
    deadLetters,
    parked,
    async stop () {
      client.destroy()
      await sqs.stop()
    }
  }
}
