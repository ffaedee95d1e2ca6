import { buildApp } from '../app.js'
import { loadConfig, requireSetting } from '../config.js'
import bot from '../plugins/bot.js'
import metrics from '../plugins/metrics.js'
import { createSqsQueue } from '../plugins/queue.js'
import updateLedger from '../plugins/update-ledger.js'
import { createDeadLetterHandler } from './dead-letter.js'

/** The DeadLetter Lambda (the DLQ's event source): the app with metrics, the bot and the ledger, built once per cold start. */
const config = loadConfig()
const parked = createSqsQueue(config.queue, requireSetting(config.queue.parkedUrl, 'PARKED_QUEUE_URL'))
const app = buildApp(config, { plugins: [metrics, bot, updateLedger] })
await app.ready()
export const handler = createDeadLetterHandler(app, parked)
