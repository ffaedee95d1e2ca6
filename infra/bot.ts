import { createAlarms } from './alarms'
import { createApi } from './api'
import { createLedger } from './ledger'
import { createQueues } from './queues'
import { createSecrets } from './secrets'
import { createWorkers } from './workers'

/** Every resource of one stage; returns the stage outputs the scripts read. */
export function createBot () {
  const secrets = createSecrets()
  const queues = createQueues()
  const ledger = createLedger()
  const api = createApi({ queues, secrets })
  const workers = createWorkers({ queues, secrets, ledger })
  const { topic } = createAlarms({ queues, api, workers })

  return {
    stage: $app.stage,
    apiUrl: api.httpApi.url,
    updatesQueueArn: queues.updates.arn,
    parkedQueueArn: queues.parked.arn,
    alarmTopicArn: topic.arn
  }
}
