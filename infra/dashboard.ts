import { COMMAND_OUTCOME_METRIC, COMMAND_OUTCOMES } from '../src/commands/outcomes'
import type { createApi } from './api'
import { metricsServiceName } from './functions'
import type { Queues } from './queues'
import { DASHBOARD, METRICS_NAMESPACE, REGION } from './settings'
import type { createWorkers } from './workers'

interface Charted {
  queues: Queues
  api: ReturnType<typeof createApi>
  workers: ReturnType<typeof createWorkers>
}

/** A CloudWatch metric line: namespace, name, dimension name and value pairs, then the rendering options. */
type MetricLine = Array<$util.Input<string> | Record<string, string>>

interface Widget {
  title: string
  metrics: MetricLine[]
  /** Count-like metrics are summed per period; the others say which statistic they use per line. */
  stat?: string
}

/**
 * One dashboard per stage, the update's path from left to right and top to bottom: the webhook, the
 * queue, the Worker, the dead letters, then what users got (the bot's own metrics, which the worker
 * writes as embedded metric format lines under the stage's `service` dimension): one widget per
 * command of the registry, one line per outcome it declares (src/commands/outcomes.ts).
 */
export function createDashboard ({ queues, api, workers }: Charted) {
  const apiId = api.httpApi.nodes.api.id
  const queueName = (queue: sst.aws.Queue) => queue.nodes.queue.name
  const service = metricsServiceName()
  const bot = (metricName: string, options: Record<string, string> = {}, dimensions: Record<string, string> = {}): MetricLine =>
    [METRICS_NAMESPACE, metricName, 'service', service, ...Object.entries(dimensions).flat(), options]
  const lambda = (metricName: string, fn: sst.aws.Function, options: Record<string, string> = {}): MetricLine => ['AWS/Lambda', metricName, 'FunctionName', fn.name, options]
  const sqs = (metricName: string, queue: sst.aws.Queue, options: Record<string, string> = {}): MetricLine => ['AWS/SQS', metricName, 'QueueName', queueName(queue), options]
  const http = (metricName: string, options: Record<string, string> = {}): MetricLine => ['AWS/ApiGateway', metricName, 'ApiId', apiId, options]

  const widgets: Widget[] = [
    { title: 'Webhook requests and errors', stat: 'Sum', metrics: [http('Count', { label: 'requests' }), http('4xx'), http('5xx')] },
    { title: 'Webhook latency (ms)', metrics: [http('Latency', { stat: 'p50' }), http('Latency', { stat: 'p99' })] },
    {
      title: 'Updates queue',
      metrics: [
        sqs('ApproximateNumberOfMessagesVisible', queues.updates, { stat: 'Maximum', label: 'depth' }),
        sqs('ApproximateAgeOfOldestMessage', queues.updates, { stat: 'Maximum', label: 'oldest (s)', yAxis: 'right' })
      ]
    },
    {
      title: 'Worker',
      metrics: [
        lambda('Duration', workers.worker, { stat: 'p99', label: 'duration p99 (ms)' }),
        lambda('Errors', workers.worker, { stat: 'Sum', yAxis: 'right' }),
        lambda('ConcurrentExecutions', workers.worker, { stat: 'Maximum', yAxis: 'right' })
      ]
    },
    {
      title: 'Dead letters',
      metrics: [
        sqs('ApproximateNumberOfMessagesVisible', queues.deadLetters, { stat: 'Maximum', label: 'UpdatesDlq depth' }),
        lambda('Errors', workers.deadLetter, { stat: 'Sum', label: 'DeadLetter errors' }),
        sqs('NumberOfMessagesSent', queues.parked, { stat: 'Sum', label: 'parked arrivals' }),
        sqs('ApproximateNumberOfMessagesVisible', queues.parked, { stat: 'Maximum', label: 'parked waiting' })
      ]
    },
    ...commandWidgets(bot),
    { title: 'Replies and the ledger', stat: 'Sum', metrics: [bot('ReplyFailedAfterProcedure'), bot('LedgerHit'), bot('LedgerCompletionUnsaved')] },
    { title: 'Update age when processed (ms)', metrics: [bot('UpdateAge', { stat: 'p50' }), bot('UpdateAge', { stat: 'p99' }), bot('UpdateAge', { stat: 'Maximum' })] }
  ]

  const name = `${$app.name}-${$app.stage}`
  const dashboard = new aws.cloudwatch.Dashboard('Dashboard', {
    dashboardName: name,
    dashboardBody: $jsonStringify({
      start: DASHBOARD.defaultRange,
      widgets: widgets.map((widget, index) => ({
        type: 'metric',
        // Two widgets per row, each half of the 24-column grid.
        x: (index % 2) * 12,
        y: Math.floor(index / 2) * 6,
        width: 12,
        height: 6,
        properties: {
          title: widget.title,
          region: REGION,
          view: 'timeSeries',
          period: DASHBOARD.periodSeconds,
          ...(widget.stat === undefined ? {} : { stat: widget.stat }),
          metrics: widget.metrics
        }
      }))
    })
  })
  const url = `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards/dashboard/${name}`
  return { dashboard, url }
}

/** One widget per command that counts outcomes, `/name outcomes`, summed per period: one line per outcome. */
function commandWidgets (bot: (metricName: string, options: Record<string, string>, dimensions: Record<string, string>) => MetricLine): Widget[] {
  return Object.entries(COMMAND_OUTCOMES).filter(([, outcomes]) => outcomes.length > 0).map(([command, outcomes]) => ({
    title: `/${command} outcomes`,
    stat: 'Sum',
    metrics: outcomes.map((outcome: string) => bot(COMMAND_OUTCOME_METRIC, { label: outcome }, { command, outcome }))
  }))
}
