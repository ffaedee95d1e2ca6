/**
 * The local runtime's start-up failures, in process and with the real errors behind them (a taken
 * port, an address this machine does not have, Telegraf against a refusing or absent Bot API).
 * test/server-startup.test.ts shows the same lines as `npm start` prints them.
 */
import { once } from 'node:events'
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { Telegram } from 'telegraf'
import { startLocalRuntime } from '../../src/local/runtime.js'
import { StartupError } from '../../src/errors.js'
import { listenFailure, telegramFailure } from '../../src/local/startup-errors.js'
import { captureLogs } from '../support/log-capture.js'
import { closedPort, REAL_LOOKING_TOKEN, takenPort } from '../support/npm-start.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

async function refusingBotApi (t: Test): Promise<string> {
  return await botApiAnswering(t, 401, 'application/json', JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }))
}

async function botApiAnswering (t: Test, status: number, contentType: string, body: string): Promise<string> {
  const server = createHttpServer((_request, response) => {
    response.writeHead(status, { 'content-type': contentType })
    response.end(body)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.close() })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const start = async (env: Record<string, string>): Promise<unknown> => await startLocalRuntime({
  env: { DATABASE_CONNECTION_STRING: 'sqlite::memory:', LOG_LEVEL: 'silent', HOST: '127.0.0.1', ...env },
  logDestination: captureLogs(),
  writeRuntimeFile: false
}).then(async (runtime) => { await runtime.close(); return undefined }, (error: unknown) => error)

t.test('the runtime names PORT, PORT + 1 or HOST when a server cannot listen', async (t) => {
  const taken = await takenPort(t)
  const webhook = await start({ PORT: String(taken), TELEGRAM_BOT_TOKEN: REAL_LOOKING_TOKEN, TELEGRAM_BOT_USERNAME: 'real_looking_bot', TELEGRAM_POLL: '0' })
  t.type(webhook, StartupError)
  t.match((webhook as Error).message, `the webhook server cannot listen: port ${taken} (PORT) is in use`)

  const emulator = await start({ PORT: String(taken - 1) })
  t.match((emulator as Error).message, `the Telegram emulator cannot listen: port ${taken} (PORT + 1) is in use`)

  const host = await start({ PORT: '0', HOST: '192.0.2.1' })
  t.match((host as Error).message, 'HOST 192.0.2.1 is not an address of this machine (EADDRNOTAVAIL)')
})

t.test('the runtime names TELEGRAM_BOT_TOKEN when Telegram refuses it', async (t) => {
  const apiRoot = await refusingBotApi(t)
  const refused = await start({ PORT: '0', TELEGRAM_BOT_TOKEN: REAL_LOOKING_TOKEN, TELEGRAM_API_ROOT: apiRoot })
  t.equal((refused as Error).message, `Telegram at ${apiRoot} refused TELEGRAM_BOT_TOKEN (401): check the token with @BotFather, or unset it to use the embedded emulator`)
})

t.test('Telegraf\'s own errors: the network code, never its message (which quotes the token)', async (t) => {
  const apiRoot = `http://127.0.0.1:${await closedPort()}`
  const unreachable = await new Telegram(REAL_LOOKING_TOKEN, { apiRoot }).getWebhookInfo().then(() => undefined, (error: unknown) => error)
  const line = telegramFailure(unreachable, apiRoot)
  t.type(line, StartupError)
  t.equal((line as Error).message, `Telegram's Bot API at ${apiRoot} is unreachable (ECONNREFUSED): check the network or TELEGRAM_API_ROOT, or unset TELEGRAM_BOT_TOKEN to use the embedded emulator`)
  t.notMatch((line as Error).message, REAL_LOOKING_TOKEN.split(':')[1] ?? REAL_LOOKING_TOKEN)

  const wrapped = telegramFailure(new Error('Telegram getWebhookInfo still failing', { cause: Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }) }), apiRoot)
  t.match((wrapped as Error).message, 'is unreachable (timeout)', 'a timeout deep in the causes')
})

t.test('an API root that answers with a page instead of the Bot API: one line with the error\'s type, not its message (which quotes the token)', async (t) => {
  const apiRoot = await botApiAnswering(t, 200, 'text/html', '<html><body>Sign in to the Wi-Fi</body></html>')
  const failed = await start({ PORT: '0', TELEGRAM_BOT_TOKEN: REAL_LOOKING_TOKEN, TELEGRAM_API_ROOT: apiRoot })
  t.type(failed, StartupError)
  t.equal((failed as Error).message, `Telegram's Bot API at ${apiRoot} gave an answer that is not the Bot API's (invalid-json): check TELEGRAM_API_ROOT, or unset TELEGRAM_BOT_TOKEN to use the embedded emulator`)
  t.notMatch((failed as Error).message, REAL_LOOKING_TOKEN.split(':')[1] ?? REAL_LOOKING_TOKEN)
})

t.test('anything else passes through unchanged, to keep its stack', async (t) => {
  const bug = new TypeError('a bug')
  t.equal(listenFailure(bug, { what: 'x', host: 'h', port: 1, portSetting: 'PORT' }), bug)
  t.equal(telegramFailure(bug, 'http://x'), bug)
  t.equal(telegramFailure(Object.assign(new Error('Bad Request'), { response: { error_code: 400 } }), 'http://x') instanceof StartupError, false)
  t.match((listenFailure(Object.assign(new Error('listen EACCES'), { code: 'EACCES' }), { what: 'the webhook server', host: '127.0.0.1', port: 80, portSetting: 'PORT' }) as Error).message,
    'port 80 (PORT) needs privileges: set PORT to 1024 or above')
})
