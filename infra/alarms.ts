import type { createApi } from './api'
import type { Queues } from './queues'
import { metricsServiceName } from './functions'
import { ALARMS, METRICS_NAMESPACE } from './settings'
import { stageSettings } from './stages'
import type { createWorkers } from './workers'

interface Watched {
  queues: Queues
  api: ReturnType<typeof createApi>
  workers: ReturnType<typeof createWorkers>
}

type AlarmMetric = Pick<aws.cloudwatch.MetricAlarmArgs, 'namespace' | 'metricName' | 'dimensions' | 'statistic' | 'period' | 'comparisonOperator' | 'threshold'>

/**
 * CloudWatch alarms to one SNS topic. The stage's `alarmEmail` (infra/stages.ts, checked in, so a
 * deploy from any shell keeps it) is subscribed; AWS sends a confirmation mail to accept once.
 */
export function createAlarms ({ queues, api, workers }: Watched) {
  const topic = new sst.aws.SnsTopic('Alarms')
  const email = stageSettings($app.stage).alarmEmail
  const emailSubscription = email
    ? new aws.sns.TopicSubscription('AlarmsEmail', { topic: topic.arn, protocol: 'email', endpoint: email })
    : undefined

  const alarm = (name: string, description: string, metric: AlarmMetric) =>
    new aws.cloudwatch.MetricAlarm(name, {
      name: `${$app.name}-${$app.stage}-${name}`,
      alarmDescription: description,
      alarmActions: [topic.arn],
      okActions: [topic.arn],
      evaluationPeriods: 1,
      // No datapoints means no traffic, which is not a failure.
      treatMissingData: 'notBreaching',
      ...metric
    })
  const queueMessages = (queue: sst.aws.Queue): AlarmMetric => ({
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: { QueueName: queue.nodes.queue.name },
    statistic: 'Maximum',
    period: 60,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: 1
  })
  const functionErrors = (fn: sst.aws.Function): AlarmMetric => ({
    namespace: 'AWS/Lambda',
    metricName: 'Errors',
    dimensions: { FunctionName: fn.name },
    statistic: 'Sum',
    period: 300,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: 1
  })

  alarm('UpdatesDlqNotEmpty', 'Dead letters are waiting: the DeadLetter function is failing or behind.', queueMessages(queues.deadLetters))
  // Arrivals per period, not "not empty": parked updates wait up to 14 days, and an alarm that stays
  // in ALARM all that time would say nothing about the next one. The DeadLetter function sends each
  // one, so each counts in NumberOfMessagesSent.
  alarm('UpdatesParkedArrivals', 'An update failed 5 times, its user was told, and it is parked: read docs/deploy.md (redrive).', {
    namespace: 'AWS/SQS',
    metricName: 'NumberOfMessagesSent',
    dimensions: { QueueName: queues.parked.nodes.queue.name },
    statistic: 'Sum',
    period: ALARMS.parkedArrivalPeriodSeconds,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: 1
  })
  alarm('WorkerErrors', 'Worker invocations failed or timed out (whole batches, not single records).', functionErrors(workers.worker))
  alarm('DeadLetterErrors', 'DeadLetter invocations failed as a whole (start-up, timeout); failing records show as UpdatesDlqNotEmpty.', functionErrors(workers.deadLetter))
  alarm('ApiServerErrors', 'The HTTP API answered 5xx: Telegram is retrying and holding back later updates.', {
    namespace: 'AWS/ApiGateway',
    metricName: '5xx',
    dimensions: { ApiId: api.httpApi.nodes.api.id },
    statistic: 'Sum',
    period: 300,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: 1
  })
  alarm('UpdatesOldestAge', 'An update has waited over 5 minutes: the worker is down, throttled or stuck on a failing group.', {
    namespace: 'AWS/SQS',
    metricName: 'ApproximateAgeOfOldestMessage',
    dimensions: { QueueName: queues.updates.nodes.queue.name },
    statistic: 'Maximum',
    period: 60,
    comparisonOperator: 'GreaterThanThreshold',
    threshold: ALARMS.oldestUpdateAgeSeconds
  })

  // Counted by the Worker and the DeadLetter function: a side effect happened (the procedure ran, a reply
  // or apology went out, an update was parked) but the ledger stayed down for the rest of the record's
  // time, so a redelivery may repeat it (docs/design.md, "what still happens twice").
  alarm('LedgerCompletionUnsaved', 'A side effect ran but the update ledger could not record it: a redelivery may repeat it. Check DynamoDB; read docs/design.md (what still happens twice).', {
    namespace: METRICS_NAMESPACE,
    metricName: 'LedgerCompletionUnsaved',
    dimensions: { service: metricsServiceName() },
    statistic: 'Sum',
    period: ALARMS.ledgerCompletionUnsavedPeriodSeconds,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: 1
  })

  return { topic, emailSubscription }
}
