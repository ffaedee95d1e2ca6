import { createAlarms } from './alarms'
import { createApi } from './api'
import { createDashboard } from './dashboard'
import { createLedger } from './ledger'
import { createNetwork } from './network'
import { createQueues } from './queues'
import { createSecrets } from './secrets'
import { createWorkers } from './workers'

/** Every resource of one stage; returns the stage outputs the scripts and the runbook read. */
export function createBot () {
  // First: a stage whose network setting is refused must declare nothing.
  const network = createNetwork()
  const secrets = createSecrets()
  const queues = createQueues()
  const ledger = createLedger()
  const api = createApi({ queues, secrets })
  const workers = createWorkers({ queues, secrets, ledger, network })
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
    ledgerTableName: ledger.name,
    // Only where the Worker is in a VPC: what the database's firewall and security group are given.
    ...(network === undefined ? {} : { egressAddresses: network.egressAddresses, workerSecurityGroupId: network.securityGroup.id })
  }
}
