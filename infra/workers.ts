import { functionDefaults } from './functions'
import type { Network } from './network'
import { consumeQueue } from './permissions'
import type { Queues } from './queues'
import type { Secrets } from './secrets'
import { DEAD_LETTER, WORKER } from './settings'

/**
 * The Worker (Updates) and the DeadLetter function (UpdatesDlq), each with its subscription. In a `vpc`
 * stage only the Worker, which opens the database, is placed in the network; the DeadLetter function
 * talks to Telegram, SQS and the ledger only and stays on Lambda's own network.
 */
export function createWorkers ({ queues, secrets, ledger, network }: { queues: Queues, secrets: Secrets, ledger: sst.aws.Dynamo, network?: Network }) {
  const worker = new sst.aws.Function('Worker', {
    ...functionDefaults(),
    handler: 'src/worker/lambda.handler',
    description: 'Processes Telegram updates from the Updates queue',
    timeout: `${WORKER.timeoutSeconds} seconds`,
    memory: `${WORKER.memoryMb} MB`,
    // Not Updates: only the webhook, after its checks, may enqueue (the consumer permissions below
    // let the Worker receive and delete, never send).
    link: [secrets.telegramBotToken, secrets.databaseConnectionString, ledger],
    permissions: [consumeQueue(queues.updates)],
    ...(network === undefined ? {} : { vpc: network.functionVpc })
  })
  subscribe(queues.updates, worker, WORKER)

  const deadLetter = new sst.aws.Function('DeadLetter', {
    ...functionDefaults(),
    handler: 'src/worker/dead-letter-lambda.handler',
    description: 'Apologises for dead-lettered updates and parks them',
    timeout: `${DEAD_LETTER.timeoutSeconds} seconds`,
    memory: `${DEAD_LETTER.memoryMb} MB`,
    // UpdatesParked only, send-only through the queue link; never Updates.
    link: [secrets.telegramBotToken, queues.parked, ledger],
    permissions: [consumeQueue(queues.deadLetters)]
  })
  subscribe(queues.deadLetters, deadLetter, DEAD_LETTER)

  return { worker, deadLetter }
}

/**
 * Partial batch responses, so one failing record does not retry its whole batch; no batching window
 * (FIFO sources reject one); a concurrency ceiling on the mapping rather than reserved concurrency,
 * so SQS is simply polled less instead of throttled invocations burning receive counts.
 */
function subscribe (queue: sst.aws.Queue, consumer: sst.aws.Function, limits: { batchSize: number, maxConcurrency: number }): void {
  queue.subscribe(consumer.arn, {
    batch: { size: limits.batchSize, partialResponses: true },
    transform: {
      eventSourceMapping: (args) => {
        args.scalingConfig = { maximumConcurrency: limits.maxConcurrency }
      }
    }
  })
}
