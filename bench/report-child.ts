import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { ROOT } from './bundle.js'

/**
 * Runs `node runner target` (this Node, or the binary given) with stdout (the app's log lines) discarded, and returns the JSON report
 * the runner writes to file descriptor 3. Rejects with the tail of stderr when it fails.
 */
export async function runReportingChild<T> (runner: string, target: string, env: NodeJS.ProcessEnv, what: string, node: string = process.execPath): Promise<T> {
  // Lambda's stdout is a pipe read by the runtime; here the log lines go to /dev/null.
  const child = spawn(node, [runner, target], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] })
  let report = ''
  let errors = ''
  child.stdio[3]?.on('data', (chunk: Buffer) => { report += chunk.toString('utf8') })
  child.stderr?.on('data', (chunk: Buffer) => { errors += chunk.toString('utf8') })
  const [code] = await once(child, 'exit') as [number | null]
  if (code !== 0 || report === '') throw new Error(`${what} failed (exit ${String(code)}): ${errors.trim().split('\n').slice(-3).join(' | ').slice(0, 600)}`)
  return JSON.parse(report) as T
}
