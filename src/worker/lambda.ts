import { loadConfig } from '../config.js'
import { buildWorkerApp } from './app.js'
import { createBatchHandler } from './process-batch.js'

/** The Worker Lambda (SQS FIFO event source): the app is built and made ready once per cold start. */
const app = buildWorkerApp(loadConfig())
await app.ready()
export const handler = createBatchHandler(app)
