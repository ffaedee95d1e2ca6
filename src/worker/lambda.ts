import { loadConfig } from '../config.js'
import { buildWorkerApp } from './app.js'
import { createWorkerHandler } from './handler.js'

/** The Worker Lambda (SQS FIFO event source, and db:verify's direct invocation): the app is built and made ready once per cold start. */
const app = buildWorkerApp(loadConfig())
await app.ready()
export const handler = createWorkerHandler(app)
