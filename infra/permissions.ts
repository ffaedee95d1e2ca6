/**
 * What a Lambda event source mapping needs from its function's role to poll an SQS queue.
 * Subscribing an existing function by ARN (so that it keeps its own name) does not grant these.
 */
export function consumeQueue (queue: sst.aws.Queue) {
  return {
    actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
    resources: [queue.arn]
  }
}
