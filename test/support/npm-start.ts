/** `npm start` run to completion in a scratch directory, and the ports its failures need. */
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Test } from 'tap'
import { runToCompletion, withoutNotices } from './child-process.js'

const root = resolve(import.meta.dirname, '..', '..')
const tsx = join(root, 'node_modules', '.bin', 'tsx')

/** A bot token of the real shape, for runs that must get as far as calling Telegram. */
export const REAL_LOOKING_TOKEN = '7012345678:AAH-realLooking_token-0123456789abcdEF'

/** A port some other program holds for the rest of the test. */
export async function takenPort (t: Test): Promise<number> {
  const holder = createServer()
  holder.listen(0, '127.0.0.1')
  await once(holder, 'listening')
  t.teardown(() => { holder.close() })
  return (holder.address() as AddressInfo).port
}

/** A port nothing listens on: taken to learn a free number, then released. */
export async function closedPort (): Promise<number> {
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  probe.close()
  await once(probe, 'close')
  return port
}

/** npm start with the given settings (everything embedded otherwise), to its exit: its one stderr line. */
export async function npmStartFailing (t: Test, env: Record<string, string>): Promise<{ code: number | null, line: string, stdout: string }> {
  const cwd = await mkdtemp(join(tmpdir(), 'bot-start-fail-'))
  t.teardown(async () => { await rm(cwd, { recursive: true, force: true }) })
  const result = await runToCompletion(tsx, [join(root, 'src/server.ts')], { cwd, env: { LOG_LEVEL: 'warn', QUEUE_URL: '', DATABASE_CONNECTION_STRING: '', HOST: '127.0.0.1', TELEGRAM_BOT_TOKEN: '', ...env } })
  return { code: result.code, line: withoutNotices(result.stderr), stdout: result.stdout }
}
