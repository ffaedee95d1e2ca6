import t from 'tap'
import { REPLIES } from '../../src/commands/register.js'
import type { SqliteDatabase } from '../../src/db/sqlite-database.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { slowStore } from '../support/faults.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { startWorkerFixture } from '../support/worker.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

/**
 * Issue 9's group scenario with its real numbers (a 6 s retry_after, a 19.5 s procedure inside the
 * adapter's bound, a 60 s Worker): the time it needs is the point, so this file gets its own timeout.
 * Before the per-record deadline, Telegraf's 25 s handler timeout failed the record while the procedure
 * went on, and the retry ran it a second time.
 */

const alice = { id: 5001, first_name: 'Alice', username: 'alice_tg' }
const group = { id: -100777, type: 'supergroup' as const, title: 'Bets' }
const context = (): ReturnType<typeof lambdaContext> => lambdaContext('worker', 60_000)
const attempts = (store: unknown): unknown[] => (store as SqliteDatabase).database.prepare('SELECT id FROM registration_attempt').all()

t.test('in a group: deleteMessage answers 429 (retry_after 6), then the procedure takes 19.5 s: one procedure call, one success reply', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.setBotAdmin(group.id, true)
  telegram.failNext('deleteMessage', { error_code: 429, retry_after: 6 })
  slowStore(app, 19_500)
  const record = updateRecord(telegram.sendUserMessage({ chat: group, from: alice, text: '/register demo demo-token' }))
  const handler = createBatchHandler(app)
  const first = await handler(sqsEvent([record]), context())
  t.same(first.batchItemFailures, [], 'answered on the first receive (no 25 s handler timeout cuts it off)')
  // Lambda handing the same record over twice must not change that.
  t.same((await handler(sqsEvent([{ ...record, messageId: 'again' }]), context())).batchItemFailures, [])
  t.same(telegram.botMessages(group.id).map((message) => message.text), [REPLIES.registered('demo')], 'exactly one success reply in the group')
  t.equal(attempts(app.database).length, 1, 'the procedure ran once')
})
