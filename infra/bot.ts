import { createAlarms } from './alarms'
import { createApi } from './api'
import { createDashboard } from './dashboard'
import { createLedger } from './ledger'
import { createQueues } from './queues'
import { createSecrets } from './secrets'
import { createWorkers } from './workers'

/** Every resource of one stage; returns the stage outputs the scripts and the runbook read. */
export function createBot () {
  const secrets = createSecrets()
  const queues = createQueues()
  const ledger = createLedger()
  const api = createApi({ queues, secrets })
  const workers = createWorkers({ queues, secrets, ledger })
  const { topic } = createAlarms({ queues, api, workers })
  const dashboard = createDashboard({ queues, api, workers })
  const logGroupOf = (fn: sst.aws.Function) => fn.nodes.logGroup.apply((group) => group?.name)

  return {
    stage: $app.stage,
    apiUrl: api.httpApi.url,
    updatesQueueArn: queues.updates.arn,
    parkedQueueArn: queues.parked.arn,
    alarmTopicArn: topic.arn,
    dashboardUrl: dashboard.url,
    apiFunctionName: api.handler.name,
    workerFunctionName: workers.worker.name,
    deadLetterFunctionName: workers.deadLetter.name,
    apiLogGroup: logGroupOf(api.handler),
    workerLogGroup: logGroupOf(workers.worker),
    deadLetterLogGroup: logGroupOf(workers.deadLetter),
    ledgerTableName: ledger.name
  }
}
