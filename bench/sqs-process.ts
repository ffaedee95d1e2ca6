import { startServiceProcess } from './service-process.js'

export interface SqsProcess {
  /** The emulator's endpoint (loopback). */
  endpoint: string
  /** A FIFO queue with explicit deduplication ids, as the deployed Updates queue. */
  queueUrl: string
  stop: () => Promise<void>
}

const SERVER = `
import { startFauxqs } from 'fauxqs'
const sqs = await startFauxqs({ host: '127.0.0.1', port: 0, logger: false, defaultRegion: 'us-east-1' })
const { queueUrl } = sqs.createQueue('bench-updates.fifo', { attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } })
console.log(JSON.stringify({ endpoint: sqs.address, queueUrl }))
process.on('SIGTERM', () => { sqs.stop().then(() => process.exit(0)) })
`

/** fauxqs (the SQS emulator the tests use) in a child process on a free loopback port. */
export async function startSqsProcess (): Promise<SqsProcess> {
  const { info, stop } = await startServiceProcess<{ endpoint: string, queueUrl: string }>('the SQS emulator', SERVER)
  return { ...info, stop }
}
