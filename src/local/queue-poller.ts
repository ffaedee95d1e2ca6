import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'

export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>

export interface QueuePollerOptions {
  client: SQSClient
  queueUrl: string
  queueArn: string
  region: string
  handler: BatchHandler
  /** Like the Lambda function's timeout: what `getRemainingTimeInMillis` counts down from. */
  invocationTimeoutMs: number
  /** Parallel receive loops, like the event source's concurrency; FIFO group locking keeps each group in order. */
  concurrency: number
  /**
   * The queue's visibility timeout. Given, the records of a batch are kept invisible while the
   * handler runs (extended every third of it), as the deployed queue's visibility of 6 × the function
   * timeout guarantees: a batch still in flight is never handed to a second invocation. A failed or
   * crashed batch still comes back after this (short, local) timeout.
   */
  visibilityTimeoutSeconds?: number
  /** Long-poll wait per receive; shorter means a faster stop. */
  waitTimeSeconds?: number
  onError?: (error: unknown) => void
}

export interface QueuePoller {
  /** Stops receiving and resolves once the batches in flight are finished. */
  stop: () => Promise<void>
}

/** An SQS message as Lambda's SQS event source hands it to a function. */
export function toSqsRecord (message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {}
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      SequenceNumber: attributes.SequenceNumber,
      MessageGroupId: attributes.MessageGroupId,
      MessageDeduplicationId: attributes.MessageDeduplicationId
    },
    messageAttributes: Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, {
      dataType: value.DataType ?? 'String', stringValue: value.StringValue, stringListValues: [], binaryListValues: []
    }])),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region
  }
}

/** A Lambda context whose remaining time counts down from `timeoutMs`. */
export function lambdaContext (functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined
  }
}

/**
 * Does locally what Lambda's SQS event source does: long-polls, hands batches of up to 10 records
 * to the handler, deletes the records it did not report as failed, and leaves the failed ones to
 * reappear after the visibility timeout (and reach the DLQ after the queue's maxReceiveCount).
 */
export function startQueuePoller (options: QueuePollerOptions): QueuePoller {
  const abort = new AbortController()
  const functionName = options.queueArn.split(':').pop() ?? 'local'

  /** Extends the records' visibility until the returned function is called (nothing without `visibilityTimeoutSeconds`). */
  const keepInvisible = (records: SQSRecord[]): () => void => {
    const seconds = options.visibilityTimeoutSeconds
    if (seconds === undefined) return () => {}
    const timer = setInterval(() => {
      options.client.send(new ChangeMessageVisibilityBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: records.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }))
      })).catch((error: unknown) => { options.onError?.(error) })
    }, seconds * 1000 / 3)
    return () => { clearInterval(timer) }
  }

  const pollOnce = async (): Promise<void> => {
    const { Messages = [] } = await options.client.send(new ReceiveMessageCommand({
      QueueUrl: options.queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: options.waitTimeSeconds ?? 1,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All']
    }), { abortSignal: abort.signal })
    if (Messages.length === 0) return
    const records = Messages.map((message) => toSqsRecord(message, options.queueArn, options.region))
    const stopHiding = keepInvisible(records)
    let batchItemFailures: SQSBatchResponse['batchItemFailures']
    try {
      ({ batchItemFailures } = await options.handler({ Records: records }, lambdaContext(functionName, options.invocationTimeoutMs)))
    } finally {
      stopHiding()
    }
    const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier))
    const done = records.filter((record) => !failed.has(record.messageId))
    if (done.length === 0) return
    await options.client.send(new DeleteMessageBatchCommand({
      QueueUrl: options.queueUrl,
      Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle }))
    }))
  }

  const loop = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        await pollOnce()
      } catch (error) {
        if (abort.signal.aborted) return
        options.onError?.(error)
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
  }
  const loops = Array.from({ length: options.concurrency }, loop)

  return {
    async stop () {
      abort.abort()
      await Promise.all(loops)
    }
  }
}
