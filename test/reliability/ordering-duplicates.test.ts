import t from 'tap'
import { REPLIES } from '../../src/commands/register.js'
import { TransientError } from '../../src/errors.js'
import { APOLOGY } from '../../src/worker/dead-letter.js'
import { injectStoreFaults } from '../support/faults.js'
import {
  attemptRows, replyTexts, quietPeriod, startRuntime,
  watchForLeaks, type Runtime
} from '../support/reliability.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

/**
 * Ordering, duplicates and unicode through the whole local runtime. Pins:
 * - MessageGroupId per user + the FIFO processor with skipGroupOnError: every user's replies in the
 *   order they wrote, under concurrent load, Telegram 5xx/429 and a transient database failure;
 * - MessageDeduplicationId = update_id: the same update delivered again inside SQS's 5-minute window
 *   (Telegram's retry, a second delivery racing the first, a redelivery after it was answered) is
 *   answered once;
 * - sqsSafeJson (src/routes/telegram-webhook.ts): emoji, RTL, zero-width and U+FFFF in an update
 *   reach the queue (SQS refuses some of them raw) instead of a 503 that blocks the chat.
 */

const leaks = watchForLeaks()

const ACCOUNTS = Array.from({ length: 12 }, (_, index) => ({ username: `acct${index}`, token: `ordering-token-${index}-c0ffee` }))
const DEV_ACCOUNTS = ACCOUNTS.map((account) => `${account.username}:${account.token}`).join(',')

async function runtimeFor (t: Parameters<typeof startRuntime>[0]): Promise<Runtime> {
  const runtime = await startRuntime(t, { DEV_ACCOUNTS })
  leaks.track(runtime.config, runtime.emulator)
  return runtime
}

const user = (id: number, firstName = `User ${id}`): { id: number, first_name: string } => ({ id, first_name: firstName })

t.test('24 users × 12 messages at once, with Telegram and database faults: every user\'s replies in order, each once', async (t) => {
  const { emulator, app } = await runtimeFor(t)
  const users = Array.from({ length: 24 }, (_, index) => 8000 + index)
  // Each user's 5th command fails once in the database: their later commands must wait for its retry.
  injectStoreFaults(app, (_request, nth) => nth === 5 ? { error: new TransientError('deadlock (simulated)') } : undefined)
  emulator.failNext('sendMessage', { error_code: 500 }, 4)
  emulator.failNext('sendMessage', { error_code: 429, retry_after: 1 }, 2)
  emulator.failNext('sendMessage', { error_code: 502 }, 4)

  for (const account of ACCOUNTS) {
    for (const id of users) emulator.sendUserMessage({ from: user(id), text: `/register ${account.username} ${account.token}` })
  }
  for (const id of users) await emulator.waitForBotMessages(id, ACCOUNTS.length, 40_000)
  await quietPeriod()
  const expected = ACCOUNTS.map((account) => REPLIES.registered(account.username))
  for (const id of users) {
    t.same(replyTexts(emulator, id), expected, `user ${id}: 12 replies, in order, each once`)
    t.same(attemptRows(app, id).map((row) => row.username), ACCOUNTS.map((account) => account.username), `user ${id}: the procedure ran once per command, in order`)
  }
})

t.test('the same update delivered again and again inside the dedup window: one reply', async (t) => {
  const runtime = await runtimeFor(t)
  const { emulator, app } = runtime
  const [account] = ACCOUNTS
  if (account === undefined) throw new Error('no account')
  const users = Array.from({ length: 10 }, (_, index) => 8100 + index)
  const post = async (update: object): Promise<number> => (await fetch(runtime.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': runtime.config.telegram.webhookSecret ?? '' },
    body: JSON.stringify(update)
  })).status

  const updates = users.map((id) => emulator.sendUserMessage({ from: user(id), text: `/register ${account.username} ${account.token}` }))
  // Telegram's own retries (queued again) racing with direct deliveries of the same updates.
  for (const update of updates) { emulator.deliverRaw(update); emulator.deliverRaw(update) }
  const statuses = await Promise.all(updates.flatMap((update) => [post(update), post(update)]))
  t.same([...new Set(statuses)], [200], 'every delivery was accepted')
  for (const id of users) await emulator.waitForBotMessages(id, 1, 15_000)
  await emulator.waitUntilDelivered(10_000)

  // After the answer, and after SQS deleted the message: still inside the 5-minute window.
  for (const update of updates) emulator.deliverRaw(update)
  await emulator.waitUntilDelivered(10_000)
  await quietPeriod()
  for (const id of users) {
    t.same(replyTexts(emulator, id), [REPLIES.registered(account.username)], `user ${id}: one reply for 6 deliveries`)
    t.equal(attemptRows(app, id).length, 1, `user ${id}: the procedure ran once`)
  }
})

t.test('emoji, RTL, zero-width and U+FFFF in names and texts, end to end: each answered once', async (t) => {
  const { emulator } = await runtimeFor(t)
  const [account] = ACCOUNTS
  if (account === undefined) throw new Error('no account')
  const cases = [
    { from: user(8201, '\u202Eevil\u202C 😀'), text: `/register ${account.username} ${account.token}`, reply: REPLIES.registered(account.username) },
    { from: user(8202, 'zero\u200Bwidth\u200D👨‍👩‍👧'), text: '/register 😀 token', reply: REPLIES.rejected },
    { from: user(8203, 'Nonchar \uFFFF\uFFFE'), text: '/register \uFFFF \uFFFE', reply: REPLIES.rejected },
    { from: user(8204, 'مرحبا'), text: `/register ${account.username} ${account.token} 🎉`, reply: REPLIES.malformed },
    { from: user(8205, 'Plain'), text: '\u200F/register \u202Edemo\u202C x', reply: undefined }
  ]
  for (const { from, text } of cases) emulator.sendUserMessage({ from, text })
  await emulator.waitUntilDelivered(10_000)
  for (const { from, reply } of cases) if (reply !== undefined) await emulator.waitForBotMessages(from.id, 1, 10_000)
  await quietPeriod()
  for (const { from, reply } of cases) {
    t.same(replyTexts(emulator, from.id), reply === undefined ? [] : [reply], `${JSON.stringify(from.first_name)}: ${reply ?? 'no reply (not a command)'}`)
  }
  t.equal(emulator.webhook.last_error_message, undefined, 'the webhook never failed')
  t.notOk(emulator.callsOf('sendMessage').some((call) => call.params.text === APOLOGY), 'nothing dead-lettered')
})

t.test('leak scan and unhandled rejections', async (t) => {
  leaks.assertClean(t, ACCOUNTS.map((account) => account.token))
})
