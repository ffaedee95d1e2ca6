/** `npm start` failing to start: each failure is one line naming the setting to change, never a stack trace. */
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t, { type Test } from 'tap'
import { runToCompletion, withoutNotices } from './support/child-process.js'

const root = resolve(import.meta.dirname, '..')
const tsx = join(root, 'node_modules', '.bin', 'tsx')

/** A port some other program holds for the rest of the test. */
async function holdPort (t: Test): Promise<number> {
  const holder = createServer()
  holder.listen(0, '127.0.0.1')
  await once(holder, 'listening')
  t.teardown(() => { holder.close() })
  return (holder.address() as AddressInfo).port
}

/** A port nothing listens on: taken to learn a free number, then released. */
async function closedPort (): Promise<number> {
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  probe.close()
  await once(probe, 'close')
  return port
}

/** npm start in a scratch directory with the given settings, to completion. */
async function startFails (t: Test, env: Record<string, string>): Promise<{ code: number | null, line: string, stdout: string }> {
  const cwd = await mkdtemp(join(tmpdir(), 'bot-start-fail-'))
  t.teardown(async () => { await rm(cwd, { recursive: true, force: true }) })
  const result = await runToCompletion(tsx, [join(root, 'src/server.ts')], { cwd, env: { LOG_LEVEL: 'warn', QUEUE_URL: '', DATABASE_CONNECTION_STRING: '', HOST: '127.0.0.1', TELEGRAM_BOT_TOKEN: '', ...env } })
  return { code: result.code, line: withoutNotices(result.stderr), stdout: result.stdout }
}

const REAL_LOOKING_TOKEN = '7012345678:AAH-realLooking_token-0123456789abcdEF'

t.test('start-up failures are one line that names the setting to change', async (t) => {
  const [taken, emulatorTaken, closed] = await Promise.all([holdPort(t), holdPort(t), closedPort()])
  const telegramDown = `http://127.0.0.1:${closed}`
  await Promise.all([
    (async () => {
      const result = await startFails(t, { PORT: String(taken), TELEGRAM_BOT_TOKEN: REAL_LOOKING_TOKEN, TELEGRAM_BOT_USERNAME: 'real_looking_bot', TELEGRAM_POLL: '0' })
      t.equal(result.line, `Cannot start: the webhook server cannot listen: port ${taken} (PORT) is in use (another npm start?): stop it, or set PORT to a free port`)
      t.equal(result.code, 1)
    })(),
    (async () => {
      const result = await startFails(t, { PORT: String(emulatorTaken - 1) })
      t.equal(result.line, `Cannot start: the Telegram emulator cannot listen: port ${emulatorTaken} (PORT + 1) is in use (another npm start?): stop it, or set PORT to another value (PORT + 1 must be free too)`)
    })(),
    (async () => {
      const result = await startFails(t, { PORT: '0', HOST: '192.0.2.1' })
      t.equal(result.line, 'Cannot start: the Telegram emulator cannot listen: HOST 192.0.2.1 is not an address of this machine (EADDRNOTAVAIL): set HOST to e.g. 127.0.0.1, or 0.0.0.0 for every interface')
    })(),
    (async () => {
      const result = await startFails(t, { PORT: '0', HOST: 'no-such-host.invalid' })
      t.match(result.line, /^Cannot start: the Telegram emulator cannot listen: HOST no-such-host\.invalid is not an address of this machine \((ENOTFOUND|EAI_AGAIN|EAI_NONAME)\): set HOST to /)
    })(),
    (async () => {
      const result = await startFails(t, { PORT: '0', TELEGRAM_BOT_TOKEN: REAL_LOOKING_TOKEN, TELEGRAM_API_ROOT: telegramDown })
      t.equal(result.line, `Cannot start: Telegram's Bot API at ${telegramDown} is unreachable (ECONNREFUSED): check the network or TELEGRAM_API_ROOT, or unset TELEGRAM_BOT_TOKEN to use the embedded emulator`)
      t.notMatch(result.line + result.stdout, REAL_LOOKING_TOKEN.slice(11, 20), 'no part of the token')
    })()
  ])
})

t.test('a real-looking token that Telegram refuses is one line too', async (t) => {
  const telegram = createHttpServer((_request, response) => {
    response.writeHead(401, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }))
  })
  telegram.listen(0, '127.0.0.1')
  await once(telegram, 'listening')
  t.teardown(() => { telegram.close() })
  const apiRoot = `http://127.0.0.1:${(telegram.address() as AddressInfo).port}`
  const result = await startFails(t, { PORT: '0', TELEGRAM_BOT_TOKEN: REAL_LOOKING_TOKEN, TELEGRAM_API_ROOT: apiRoot })
  t.equal(result.line, `Cannot start: Telegram at ${apiRoot} refused TELEGRAM_BOT_TOKEN (401): check the token with @BotFather, or unset it to use the embedded emulator`)
})
