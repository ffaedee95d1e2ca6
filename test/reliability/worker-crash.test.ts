import t from 'tap'
import { REPLIES } from '../../src/commands/register.js'
import { APOLOGY } from '../../src/worker/dead-letter.js'
import { crashingInvocations, slowStore, timedInvocations } from '../support/faults.js'
import { capturedLogLines, logLinesWithMessage } from '../support/log-capture.js'
import {
  attemptRows, linkRows, replyTexts, quietPeriod, startPipeline,
  watchForLeaks, type Pipeline
} from '../support/reliability.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

/**
 * The worker dying mid-batch. Pins:
 * - the event source deletes only what a returned batch response acknowledges (src/local/queue-poller.ts
 *   plays Lambda's): a batch whose invocation died comes back whole after the visibility timeout;
 * - the update ledger (src/plugins/update-ledger.ts): a record that ran before the crash comes back
 *   with its outcome and its reply remembered, so it runs neither again;
 * - withinRecordBudget (src/worker/records.ts): every record ends at its deadline, inside the
 *   invocation, so a Lambda timeout never cuts a batch in the middle.
 */

const leaks = watchForLeaks()
const DEV_TOKEN = 'worker-crash-demo-token-e4a9'

async function pipelineFor (t: Parameters<typeof startPipeline>[0]): Promise<Pipeline> {
  const pipeline = await startPipeline(t, { env: { DEV_ACCOUNTS: `demo:${DEV_TOKEN}` } })
  leaks.track(pipeline.runtime.config, pipeline.runtime.emulator)
  return pipeline
}

const user = (id: number): { id: number, first_name: string } => ({ id, first_name: `User ${id}` })

/** Users who each send one /register; their updates are all in SQS before the worker starts (one batch). */
async function queueRegistrations (pipeline: Pipeline, users: number[]): Promise<void> {
  const { emulator } = pipeline.runtime
  for (const id of users) emulator.sendUserMessage({ from: user(id), text: `/register demo ${DEV_TOKEN}` })
  await emulator.waitUntilDelivered(10_000)
}

t.test('an invocation dies after 3 of its records: the batch comes back, no reply is lost, none is repeated', async (t) => {
  const pipeline = await pipelineFor(t)
  const { emulator, app } = pipeline.runtime
  const users = Array.from({ length: 8 }, (_, index) => 6000 + index)
  await queueRegistrations(pipeline, users)
  let crashing: ReturnType<typeof crashingInvocations> | undefined
  pipeline.startWorker({ wrap: (handler) => (crashing = crashingInvocations(handler, 3)), concurrency: 1 })

  for (const id of users) await emulator.waitForBotMessages(id, 1, 15_000)
  await quietPeriod()
  const ranTwice = new Set((crashing?.processedBeforeCrash ?? []).map((record) => record.attributes.MessageGroupId))
  t.equal(crashing?.crashed, 1, 'one invocation died')
  t.equal(ranTwice.size, 3, 'after running 3 records')
  t.ok(capturedLogLines.some((line) => line.includes('simulated crash after 3 of')), 'the event source saw the invocation fail')

  for (const id of users) {
    t.same(replyTexts(emulator, id), [REPLIES.registered('demo')], `user ${id}: one success reply${ranTwice.has(`user-${id}`) ? ' (received twice)' : ''}`)
    t.equal(attemptRows(app, id).length, 1, `user ${id}: the procedure ran once`)
  }
  t.equal(linkRows(app).length, users.length, 'one link per user')
  t.notOk(emulator.callsOf('sendMessage').some((call) => call.params.text === APOLOGY), 'nothing dead-lettered')
})

t.test('a 6 s Lambda with a slow database: records that do not fit are cut at their deadline or not started, and retried; none is cut off by the Lambda timeout', async (t) => {
  const pipeline = await pipelineFor(t)
  const { emulator, app } = pipeline.runtime
  // 1.5 s per procedure call, records one after the other, 4 s per invocation after the 2 s margin:
  // the third record of a batch is cancelled at the deadline, the rest are not started. Without the
  // deadline the batch would run into the 6 s timeout and come back whole.
  slowStore(app, 1500)
  const users = Array.from({ length: 6 }, (_, index) => 6100 + index)
  await queueRegistrations(pipeline, users)
  let lambda: ReturnType<typeof timedInvocations> | undefined
  pipeline.startWorker({ wrap: (handler) => (lambda = timedInvocations(handler, { timeoutMs: 6000, scale: 1 })), concurrency: 1 })

  for (const id of users) await emulator.waitForBotMessages(id, 1, 25_000)
  await quietPeriod()
  t.equal(lambda?.killed, 0, 'no invocation ran into its timeout')
  const deferred = logLinesWithMessage('update failed; SQS will deliver it again')
    .filter((line) => /not started|deadline passed/.test(String((line.err as { message?: unknown } | undefined)?.message)))
  t.ok(deferred.length >= 1, `records were left for a later invocation (${deferred.length})`)
  for (const id of users) {
    t.same(replyTexts(emulator, id), [REPLIES.registered('demo')], `user ${id}: one reply`)
    t.equal(attemptRows(app, id).length, 1, `user ${id}: the procedure ran once`)
  }
})

t.test('leak scan and unhandled rejections', async (t) => {
  leaks.assertClean(t, [DEV_TOKEN])
})
