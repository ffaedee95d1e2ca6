import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import fp from 'fastify-plugin'
import { requireSetting, type Config } from '../config.js'
import { emulatorCredentials } from '../emulator-credentials.js'

/** One Telegram update, ready for a FIFO queue. */
export interface QueuedUpdate {
  body: string
  groupId: string
  deduplicationId: string
  updateType: string
}

export interface UpdateQueue {
  /** `signal` aborts the send (the dead-letter handler's record deadline); the SDK's own bounds apply either way. */
  send: (update: QueuedUpdate, signal?: AbortSignal) => Promise<void>
  /** Health probe: resolves when the queue answers. */
  check: (signal: AbortSignal) => Promise<void>
  close: () => void
}

/** The queue could not take the update; the webhook answers 503 so that Telegram retries. */
export class QueueUnavailableError extends Error {
  override name = 'QueueUnavailableError'
  readonly statusCode = 503
}

declare module 'fastify' {
  interface FastifyInstance {
    updateQueue: UpdateQueue
  }
}

// Telegram expects an answer within a few seconds: two short attempts (the SDK's own retry) fit well inside.
const SQS_MAX_ATTEMPTS = 2
const SQS_CONNECTION_TIMEOUT_MS = 1000
const SQS_REQUEST_TIMEOUT_MS = 1500
/** The longest one send can take with its attempts: the bound of a send that a deadline also aborts. */
export const SQS_SEND_BOUND_MS = SQS_MAX_ATTEMPTS * (SQS_CONNECTION_TIMEOUT_MS + SQS_REQUEST_TIMEOUT_MS)

/** A sender for one SQS FIFO queue (the updates queue, or the dead-letter handler's parking queue). */
export function createSqsQueue (settings: Config['queue'], queueUrl: string): UpdateQueue {
  const client = new SQSClient({
    region: settings.region,
    endpoint: settings.endpoint,
    maxAttempts: SQS_MAX_ATTEMPTS,
    // Without throwOnRequestTimeout, this version of the HTTP handler only logs a warning when
    // requestTimeout passes, and a queue that accepted the connection but never answers would hold
    // the webhook (and Telegram's delivery to that chat) until Telegram gives up.
    requestHandler: { connectionTimeout: SQS_CONNECTION_TIMEOUT_MS, requestTimeout: SQS_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    ...emulatorCredentials(settings.endpoint)
  })
  return {
    async send (update, signal) {
      try {
        await client.send(new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: update.body,
          MessageGroupId: update.groupId,
          MessageDeduplicationId: update.deduplicationId,
          MessageAttributes: { UpdateType: { DataType: 'String', StringValue: update.updateType } }
        }), { abortSignal: signal })
      } catch (error) {
        throw new QueueUnavailableError('the update queue is unavailable', { cause: error })
      }
    },
    async check (abortSignal) {
      await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }), { abortSignal })
    },
    close () { client.destroy() }
  }
}

/** The SQS FIFO queue of updates (QUEUE_URL), with its health probe. */
export default fp(async (fastify) => {
  const queue = createSqsQueue(fastify.config.queue, requireSetting(fastify.config.queue.url, 'QUEUE_URL'))
  fastify.decorate('updateQueue', queue)
  fastify.healthChecks.set('queue', queue.check)
  fastify.addHook('onClose', async () => { queue.close() })
}, { name: 'update-queue', dependencies: ['config', 'health-checks'] })
