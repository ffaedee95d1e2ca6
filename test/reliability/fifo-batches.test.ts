import fc from 'fast-check'
import t from 'tap'
import type { SQSRecord } from 'aws-lambda'
import { REPLIES } from '../../src/commands/register.js'
import { TransientError } from '../../src/errors.js'
import { lambdaContext, toSqsRecord } from '../../src/local/queue-poller.js'
import { messageGroupIdOf } from '../../src/telegram/update.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { injectStoreFaults } from '../support/faults.js'
import { assertNoSecretLeaks, attemptRows, botApiTraffic, watchUnhandledRejections } from '../support/reliability.js'
import { startWorkerFixture } from '../support/worker.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

/**
 * SQS FIFO batches as AWS makes them: several consecutive updates of one user in the same batch,
 * with the database failing now and then. The embedded queue (fauxqs 1.9.2) never does this (it hands
 * out at most one message per group per receive), so the local pipeline cannot show it; here a small
 * model of a FIFO queue with a redrive policy plays the event source. Pins the FIFO processor with
 * skipGroupOnError (src/worker/process-batch.ts): a user's later update never runs before an earlier
 * one that failed, one user's failure never fails (and so never uses up the receives of) another
 * user's update, and each update is answered once or dead-lettered.
 */

const unhandled = watchUnhandledRejections()
const SEED = 20_240_603
const MAX_RECEIVE_COUNT = 5
const ACCOUNTS = Array.from({ length: 6 }, (_, index) => ({ username: `fifo${index}`, token: `fifo-batches-token-${index}-77aa` }))

const fixture = await startWorkerFixture(t, { DEV_ACCOUNTS: ACCOUNTS.map((account) => `${account.username}:${account.token}`).join(',') })
const { app, telegram } = fixture
const handler = createBatchHandler(app)

/** Which store calls fail (before the procedure runs): the plan, cycled, never more than `maxConsecutive` in a row per user. */
const faults = { plan: [false], index: 0, maxConsecutive: 3, consecutive: new Map<number, number>(), failedUsers: new Set<number>() }
injectStoreFaults(app, (request) => {
  const inARow = faults.consecutive.get(request.telegramUserId) ?? 0
  const fail = (faults.plan[faults.index++ % faults.plan.length] ?? false) && inARow < faults.maxConsecutive
  faults.consecutive.set(request.telegramUserId, fail ? inARow + 1 : 0)
  if (fail) faults.failedUsers.add(request.telegramUserId)
  return fail ? { error: new TransientError('deadlock (simulated)') } : undefined
})

interface Queued { id: string, groupId: string, body: string, receives: number }

/** A FIFO queue of updates: per group in order, with the redrive policy's receive limit. */
class FifoModel {
  readonly groups = new Map<string, Queued[]>()
  readonly deadLettered = new Set<string>()

  send (update: { update_id: number }): void {
    const groupId = messageGroupIdOf(update)
    this.groups.set(groupId, [...(this.groups.get(groupId) ?? []), { id: String(update.update_id), groupId, body: JSON.stringify(update), receives: 0 }])
  }

  /** One receive: groups in a chosen order, from each a chosen number (1–4) of consecutive records from its head; ≤ 10 in all. */
  receive (choose: () => number): Queued[] {
    const batch: Queued[] = []
    const order = [...this.groups.keys()].sort(() => choose() % 3 - 1)
    for (const groupId of order) {
      const queued = this.groups.get(groupId) ?? []
      batch.push(...queued.slice(0, Math.min(queued.length, 1 + choose() % 4, 10 - batch.length)))
      if (batch.length >= 10) break
    }
    for (const queued of batch) queued.receives++
    return batch
  }

  /** What the event source does with the batch response: delete the rest; a failure past the limit goes to the DLQ. */
  settle (batch: Queued[], failedIds: Set<string>): void {
    for (const queued of batch) {
      if (failedIds.has(queued.id) && queued.receives < MAX_RECEIVE_COUNT) continue
      if (failedIds.has(queued.id)) this.deadLettered.add(queued.id)
      const rest = (this.groups.get(queued.groupId) ?? []).filter((item) => item !== queued)
      if (rest.length === 0) this.groups.delete(queued.groupId)
      else this.groups.set(queued.groupId, rest)
    }
  }

  /** Invokes the worker until the queue is empty. */
  async drain (choose: () => number): Promise<void> {
    for (let invocation = 0; this.groups.size > 0; invocation++) {
      if (invocation > 300) throw new Error('the queue never drained')
      const batch = this.receive(choose)
      const records: SQSRecord[] = batch.map((queued) => toSqsRecord({
        MessageId: queued.id,
        ReceiptHandle: `${queued.id}-${queued.receives}`,
        Body: queued.body,
        Attributes: { ApproximateReceiveCount: String(queued.receives), MessageGroupId: queued.groupId, MessageDeduplicationId: queued.id }
      }, 'arn:aws:sqs:us-east-1:000000000000:updates.fifo', 'us-east-1'))
      faults.failedUsers.clear()
      const { batchItemFailures } = await handler({ Records: records }, lambdaContext('worker', 60_000))
      const failedIds = new Set(batchItemFailures.map((failure) => failure.itemIdentifier))
      // skipGroupOnError: one user's failure never fails another user's update.
      for (const queued of batch) {
        if (failedIds.has(queued.id) && ![...faults.failedUsers].some((id) => queued.groupId === `user-${id}`)) {
          throw new Error(`update ${queued.id} of ${queued.groupId} was failed for another user's failure`)
        }
      }
      this.settle(batch, failedIds)
    }
  }
}

let nextUser = 910_000

/** A user's commands: an account index registers with that account; -1 is a malformed /register. */
function sendScript (model: FifoModel, script: number[]): { id: number, steps: Array<{ updateId: string, reply: string }> } {
  const id = nextUser++
  const steps = script.map((index) => {
    const account = ACCOUNTS[index]
    const update = telegram.sendUserMessage({ from: { id, first_name: 'Fifo' }, text: account === undefined ? '/register' : `/register ${account.username} ${account.token}` })
    model.send(update)
    return { updateId: String(update.update_id), reply: account === undefined ? REPLIES.malformed : REPLIES.registered(account.username) }
  })
  return { id, steps }
}

t.test('several updates of a user per batch, the database failing at random: each update answered once, in order, or dead-lettered; other users unaffected', async (t) => {
  const scenario = fc.record({
    scripts: fc.array(fc.array(fc.integer({ min: -1, max: ACCOUNTS.length - 1 }), { minLength: 2, maxLength: 6 }), { minLength: 2, maxLength: 5 }),
    failures: fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
    choices: fc.array(fc.nat(), { minLength: 1, maxLength: 32 })
  })
  let deadLettered = 0
  await fc.assert(fc.asyncProperty(scenario, async ({ scripts, failures, choices }) => {
    Object.assign(faults, { plan: failures, index: 0, maxConsecutive: 3 })
    let choice = 0
    const choose = (): number => choices[choice++ % choices.length] ?? 0
    const model = new FifoModel()
    const users = scripts.map((script) => sendScript(model, script))
    await model.drain(choose)
    deadLettered += model.deadLettered.size

    for (const { id, steps } of users) {
      const wanted = steps.filter((step) => !model.deadLettered.has(step.updateId)).map((step) => step.reply)
      const replies = telegram.botMessages(id).map((message) => message.text)
      if (JSON.stringify(replies) !== JSON.stringify(wanted)) throw new Error(`user ${id} got ${JSON.stringify(replies)}, expected ${JSON.stringify(wanted)}`)
      const ran = attemptRows(app, id).map((row) => row.username)
      const registered = wanted.filter((reply) => reply !== REPLIES.malformed).map((reply) => reply.replace(REPLIES.registered(''), ''))
      if (JSON.stringify(ran) !== JSON.stringify(registered)) throw new Error(`user ${id}: the procedure ran for ${JSON.stringify(ran)}, expected ${JSON.stringify(registered)}`)
    }
  }), { seed: SEED, numRuns: 100 })
  t.pass(`each update answered once, in order, or dead-lettered (${deadLettered} dead-lettered across the runs)`)
})

t.test('documented: a user\'s backlog shares the receive budget of the update it waits behind', async (t) => {
  // SQS counts a receive whether or not the worker got to the record: the updates skipped behind a
  // failing one are received (and counted) with it. An outage that dead-letters a user's update
  // dead-letters the updates received with it too, without one attempt of theirs.
  Object.assign(faults, { plan: [true], index: 0, maxConsecutive: MAX_RECEIVE_COUNT })
  const model = new FifoModel()
  const { id, steps } = sendScript(model, [0, 1, 2])
  await model.drain(() => 3) // every receive takes the user's whole backlog
  t.same([...model.deadLettered], steps.map((step) => step.updateId), 'all three dead-lettered together')
  t.same(telegram.botMessages(id), [], 'none answered (each would get the apology from the dead-letter handler)')
  t.equal(attemptRows(app, id).length, 0, 'the procedure never ran')
  t.equal(faults.index, MAX_RECEIVE_COUNT, 'the store was called 5 times, all for the first update: the other two were never attempted')
  Object.assign(faults, { plan: [false], maxConsecutive: 3 })
})

t.test('leak scan and unhandled rejections', async (t) => {
  assertNoSecretLeaks(t, [fixture.config.telegram.botToken ?? '', ...ACCOUNTS.map((account) => account.token)], botApiTraffic(telegram))
  t.same(unhandled, [], 'no unhandled rejection')
})
