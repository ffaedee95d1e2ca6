/** `npm start` that cannot listen: each failure is one line naming the setting to change, never a stack trace. */
import t from 'tap'
import { npmStartFailing, REAL_LOOKING_TOKEN, takenPort } from './support/npm-start.js'
import { FILE_BUDGET_MS } from './support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.childProcesses)

t.test('a server that cannot listen: one line naming PORT, PORT + 1 or HOST', async (t) => {
  const [taken, emulatorTaken] = await Promise.all([takenPort(t), takenPort(t)])
  await Promise.all([
    (async () => {
      const result = await npmStartFailing(t, { PORT: String(taken), TELEGRAM_BOT_TOKEN: REAL_LOOKING_TOKEN, TELEGRAM_BOT_USERNAME: 'real_looking_bot', TELEGRAM_POLL: '0' })
      t.equal(result.line, `Cannot start: the webhook server cannot listen: port ${taken} (PORT) is in use (another npm start?): stop it, or set PORT to a free port`)
      t.equal(result.code, 1)
    })(),
    (async () => {
      const result = await npmStartFailing(t, { PORT: String(emulatorTaken - 1) })
      t.equal(result.line, `Cannot start: the Telegram emulator cannot listen: port ${emulatorTaken} (PORT + 1) is in use (another npm start?): stop it, or set PORT to another value (PORT + 1 must be free too)`)
    })(),
    (async () => {
      const result = await npmStartFailing(t, { PORT: '0', HOST: '192.0.2.1' })
      t.equal(result.line, 'Cannot start: the Telegram emulator cannot listen: HOST 192.0.2.1 is not an address of this machine (EADDRNOTAVAIL): set HOST to e.g. 127.0.0.1, or 0.0.0.0 for every interface')
    })(),
    (async () => {
      const result = await npmStartFailing(t, { PORT: '0', HOST: 'no-such-host.invalid' })
      t.match(result.line, /^Cannot start: the Telegram emulator cannot listen: HOST no-such-host\.invalid is not an address of this machine \((ENOTFOUND|EAI_AGAIN|EAI_NONAME)\): set HOST to /)
    })()
  ])
})
