import t from 'tap'
import { REPLIES } from '../../src/commands/register.js'
import { TransientError } from '../../src/errors.js'
import { APOLOGY } from '../../src/worker/dead-letter.js'
import { injectStoreFaults } from '../support/faults.js'
import { logLinesWithMessage } from '../support/log-capture.js'
import {
  attemptRows, linkRows, replyTexts, quietPeriod, startRuntime,
  watchForLeaks, type Runtime
} from '../support/reliability.js'
import { drainQueue } from '../support/sqs.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

/**
 * The database down, then back. Pins:
 * - a TransientError from the store fails the record (src/commands/register.ts lets it propagate and
 *   src/worker/process-batch.ts reports it), so SQS delivers it again: nothing is lost, nothing is
 *   answered "failed" for an outage;
 * - skipGroupOnError (process-batch.ts): a user's later update waits behind their failed one;
 * - the redrive policy: the DLQ only after exactly 5 receives, and one apology from the dead-letter handler.
 */

const leaks = watchForLeaks()
const DEV_ACCOUNTS = 'demo:db-outage-demo-token-71c2,other:db-outage-other-token-9f30'

async function runtimeFor (t: Parameters<typeof startRuntime>[0]): Promise<Runtime> {
  const runtime = await startRuntime(t, { DEV_ACCOUNTS })
  leaks.track(runtime.config, runtime.emulator)
  return runtime
}

const user = (id: number): { id: number, first_name: string } => ({ id, first_name: `User ${id}` })
const unreachable = (): { error: Error } => ({ error: new TransientError('database unreachable (simulated)') })

t.test('a short outage (3 failed receives per update): every registration made exactly once, in order, no DLQ', async (t) => {
  const runtime = await runtimeFor(t)
  const { emulator, app } = runtime
  const faults = injectStoreFaults(app, (_request, nth) => nth <= 3 ? unreachable() : undefined)
  const users = Array.from({ length: 20 }, (_, index) => 1000 + index)
  for (const id of users) emulator.sendUserMessage({ from: user(id), text: '/register demo db-outage-demo-token-71c2' })
  // Each user's second update must wait behind the first, which fails three times.
  for (const id of users) emulator.sendUserMessage({ from: user(id), text: '/register' })

  for (const id of users) await emulator.waitForBotMessages(id, 2, 30_000)
  await quietPeriod()
  for (const id of users) {
    t.same(replyTexts(emulator, id), [REPLIES.registered('demo'), REPLIES.malformed], `user ${id}: each reply once, in order`)
    t.same(attemptRows(app, id).map((row) => row.outcome), ['registered'], `user ${id}: the procedure ran exactly once`)
    t.same(faults.callsFor(id).map((call) => call.failed), [true, true, true, false], `user ${id}: three failed calls, then one that worked`)
  }
  t.equal(linkRows(app).length, users.length, 'every user is linked')
  t.notOk(emulator.callsOf('sendMessage').some((call) => call.params.text === APOLOGY), 'nobody was apologised to')
  const { queues } = runtime
  if (queues === undefined) throw new Error('expected embedded queues')
  t.same(await drainQueue(queues.client, queues.parked.url), [], 'nothing was parked')
  t.same(await drainQueue(queues.client, queues.deadLetters.url), [], 'nothing is in the DLQ')
})

t.test('an outage longer than 5 receives: DLQ after exactly 5, one apology; other users unaffected', async (t) => {
  const runtime = await runtimeFor(t)
  const { emulator, app } = runtime
  const stuck = 2001
  const healthy = 2002
  const faults = injectStoreFaults(app, (request) => request.telegramUserId === stuck ? unreachable() : undefined)
  const { update_id: stuckUpdateId } = emulator.sendUserMessage({ from: user(stuck), text: '/register demo db-outage-demo-token-71c2' })
  emulator.sendUserMessage({ from: user(healthy), text: '/register other db-outage-other-token-9f30' })

  t.same((await emulator.waitForBotMessages(healthy, 1, 10_000)).map((message) => message.text), [REPLIES.registered('other')], 'another user\'s group goes on')
  t.same((await emulator.waitForBotMessages(stuck, 1, 30_000)).map((message) => message.text), [APOLOGY])
  await quietPeriod()
  t.same(replyTexts(emulator, stuck), [APOLOGY], 'told once')
  t.equal(faults.callsFor(stuck).length, 5, 'the store was tried on each of the 5 receives, then never again')
  const receives = logLinesWithMessage('update failed; SQS will deliver it again')
    .filter((line) => line.groupId === `user-${stuck}`)
    .map((line) => line.receiveCount)
  t.same(receives, [1, 2, 3, 4, 5], 'failed on receives 1 to 5, each once')
  t.same(attemptRows(app, stuck), [], 'the procedure never ran')

  const { queues } = runtime
  if (queues === undefined) throw new Error('expected embedded queues')
  const parked = await drainQueue(queues.client, queues.parked.url)
  t.same(parked.map((message) => message.Attributes?.MessageDeduplicationId), [String(stuckUpdateId)], 'the dead update is parked for redrive, once')
})

t.test('documented weak spot: a timeout after the procedure committed runs it again on redelivery', async (t) => {
  // The design retries database timeouts; a timeout can come after the commit. What holds then is
  // only what the procedure's idempotence gives: one link row, one reply. The attempt log has two rows.
  const runtime = await runtimeFor(t)
  const { emulator, app } = runtime
  const id = 3001
  injectStoreFaults(app, (_request, nth) => nth === 1 ? { error: new TransientError('timeout (simulated, after commit)'), after: true } : undefined)
  emulator.sendUserMessage({ from: user(id), text: '/register demo db-outage-demo-token-71c2' })
  await emulator.waitForBotMessages(id, 1, 15_000)
  await quietPeriod()
  t.same(replyTexts(emulator, id), [REPLIES.registered('demo')], 'one reply')
  t.same(attemptRows(app, id).map((row) => row.outcome), ['registered', 'registered'], 'the procedure ran twice')
  t.same(linkRows(app).filter((row) => row.telegram_user_id === id).length, 1, 'one link: the upsert is idempotent per Telegram user')
})

t.test('leak scan and unhandled rejections', async (t) => {
  leaks.assertClean(t, ['db-outage-demo-token-71c2', 'db-outage-other-token-9f30'])
})
