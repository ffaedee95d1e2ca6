/** `npm start` with a real-looking token whose Telegram cannot be used: one line naming the setting. */
import { once } from 'node:events'
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { closedPort, npmStartFailing, REAL_LOOKING_TOKEN } from './support/npm-start.js'
import { FILE_BUDGET_MS } from './support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.childProcesses)

t.test('a real-looking token with Telegram unreachable: one line, no part of the token', async (t) => {
  const telegramDown = `http://127.0.0.1:${await closedPort()}`
  const result = await npmStartFailing(t, { PORT: '0', TELEGRAM_BOT_TOKEN: REAL_LOOKING_TOKEN, TELEGRAM_API_ROOT: telegramDown })
  t.equal(result.line, `Cannot start: Telegram's Bot API at ${telegramDown} is unreachable (ECONNREFUSED): check the network or TELEGRAM_API_ROOT, or unset TELEGRAM_BOT_TOKEN to use the embedded emulator`)
  t.equal(result.code, 1)
  t.notMatch(result.line + result.stdout, REAL_LOOKING_TOKEN.slice(11, 20), 'no part of the token')
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
  const result = await npmStartFailing(t, { PORT: '0', TELEGRAM_BOT_TOKEN: REAL_LOOKING_TOKEN, TELEGRAM_API_ROOT: apiRoot })
  t.equal(result.line, `Cannot start: Telegram at ${apiRoot} refused TELEGRAM_BOT_TOKEN (401): check the token with @BotFather, or unset it to use the embedded emulator`)
})
