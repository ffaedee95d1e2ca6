import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { ROOT } from './bundle.js'

export interface ServiceProcess<T> {
  /** What the service printed as its first line (its endpoint, …). */
  info: T
  stop: () => Promise<void>
}

/**
 * An emulator the bench talks to, in a process of its own on a loopback port, so that serving requests
 * never competes with the measured code's event loop or counts in its CPU time. `source` is an ES module
 * (run through tsx) that prints one JSON line once it is ready and stops on SIGTERM.
 */
export async function startServiceProcess<T> (what: string, source: string): Promise<ServiceProcess<T>> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const [first] = await Promise.race([
    once(lines, 'line') as Promise<[string]>,
    once(child, 'exit').then(([code]) => { throw new Error(`${what} exited (${String(code)}) before it started`) })
  ])
  return {
    info: JSON.parse(first) as T,
    async stop () {
      if (child.exitCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    }
  }
}
