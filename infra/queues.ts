import { DEAD_LETTER, DEAD_LETTER_MAX_RECEIVE_COUNT, MAX_RECEIVE_COUNT, QUEUE_THROUGHPUT, RETENTION, VISIBILITY_TO_TIMEOUT_RATIO, WORKER } from './settings'

/**
 * The update queues:
 * Updates (FIFO) ──5 receives──▶ UpdatesDlq (FIFO, drained by the DeadLetter function) ──10──▶ UpdatesParked.
 * The DeadLetter function copies each dead letter into UpdatesParked after apologising to the user;
 * UpdatesParked is also UpdatesDlq's own dead-letter queue, so a DeadLetter function that keeps failing
 * loses nothing, and `StartMessageMoveTask` (which only accepts a queue that is some queue's DLQ) can
 * move parked updates back into Updates.
 */
export function createQueues () {
  limitQueueLinksToSending()
  // Prod queues outlive the stack: they may hold updates nobody has answered yet.
  const keepOnDelete = $app.stage === 'prod'

  const parked = new sst.aws.Queue('UpdatesParked', {
    fifo: { contentBasedDeduplication: false },
    transform: { queue: (args, opts) => configureQueue(args, opts, RETENTION.parked, keepOnDelete) }
  })
  const deadLetters = new sst.aws.Queue('UpdatesDlq', {
    fifo: { contentBasedDeduplication: false },
    visibilityTimeout: `${DEAD_LETTER.timeoutSeconds * VISIBILITY_TO_TIMEOUT_RATIO} seconds`,
    dlq: { queue: parked.arn, retry: DEAD_LETTER_MAX_RECEIVE_COUNT },
    transform: { queue: (args, opts) => configureQueue(args, opts, RETENTION.deadLetters, keepOnDelete) }
  })
  // Explicit MessageDeduplicationId (the update_id) on every send: content-based dedup would merge two
  // different updates with equal bodies and is switched off.
  const updates = new sst.aws.Queue('Updates', {
    fifo: { contentBasedDeduplication: false },
    visibilityTimeout: `${WORKER.timeoutSeconds * VISIBILITY_TO_TIMEOUT_RATIO} seconds`,
    dlq: { queue: deadLetters.arn, retry: MAX_RECEIVE_COUNT },
    transform: { queue: (args, opts) => configureQueue(args, opts, RETENTION.updates, keepOnDelete) }
  })
  return { updates, deadLetters, parked }
}

export type Queues = ReturnType<typeof createQueues>

/** Every update queue: its retention, kept with a prod stack, in FIFO high-throughput mode (infra/settings.ts). */
function configureQueue (args: aws.sqs.QueueArgs, opts: $util.CustomResourceOptions, retentionSeconds: number, keepOnDelete: boolean): undefined {
  args.messageRetentionSeconds = retentionSeconds
  args.deduplicationScope = QUEUE_THROUGHPUT.deduplicationScope
  args.fifoThroughputLimit = QUEUE_THROUGHPUT.fifoThroughputLimit
  if (keepOnDelete) opts.retainOnDelete = true
  return undefined
}

/**
 * SST's default queue link grants `sqs:*`. Everything here that links a queue only sends to it
 * (the webhook, the DeadLetter function) and reads its attributes (the deep health check), so that
 * is all a link grants. Consumers get their receive permissions from their subscription instead.
 */
function limitQueueLinksToSending (): void {
  sst.Linkable.wrap(sst.aws.Queue, (queue) => ({
    properties: { url: queue.url },
    include: [sst.aws.permission({ actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'], resources: [queue.arn] })]
  }))
}
