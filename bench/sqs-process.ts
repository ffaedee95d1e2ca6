import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { ROOT } from './bundle.js'

export interface SqsProcess {
  /** The emulator's endpoint (loopback). */
  endpoint: string
  /** A FIFO queue with explicit deduplication ids, as the deployed Updates queue. */
  queueUrl: string
  stop: () => Promise<void>
}

// Runs in its own process so that serving SendMessage never competes with the measured code's event loop.
const SERVER = `
import { startFauxqs } from 'fauxqs'
const sqs = await startFauxqs({ host: '127.0.0.1', port: 0, logger: false, defaultRegion: 'us-east-1' })
const { queueUrl } = sqs.createQueue('bench-updates.fifo', { attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } })
console.log(JSON.stringify({ endpoint: sqs.address, queueUrl }))
process.on('SIGTERM', () => { sqs.stop().then(() => process.exit(0)) })
`

/** fauxqs (the SQS emulator the tests use) in a child process on a free loopback port. */
export async function startSqsProcess (): Promise<SqsProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const [first] = await Promise.race([
    once(lines, 'line') as Promise<[string]>,
    once(child, 'exit').then(([code]) => { throw new Error(`the SQS emulator exited (${String(code)}) before it started`) })
  ])
  const { endpoint, queueUrl } = JSON.parse(first) as { endpoint: string, queueUrl: string }
  return {
    endpoint,
    queueUrl,
    async stop () {
      if (child.exitCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    }
  }
}
