import { readFileSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { lambdaContext } from '../../src/local/queue-poller.js'
import type { LedgerStep } from '../../src/plugins/update-ledger.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { capturedLogLines } from '../support/log-capture.js'
import { anonymousAdmin } from '../support/senders.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { TdsResponder, type Reply } from '../support/tds-responder.js'
import { startWorkerFixture } from '../support/worker.js'

/**
 * `/register` as its users and operators see it, pinned: a few recorded updates replayed through the
 * worker on the real mssql driver against the TDS responder, compared with what the code did before
 * the database port and the command contracts existed (test/fixtures/register-replay.json, written by
 * that code with `RECORD_REGISTER_REPLAY=1`): the replies, the procedure calls on the wire (parameter
 * names, TDS types, lengths, values), the ledger steps and the log lines.
 */
const FIXTURE = new URL('../fixtures/register-replay.json', import.meta.url)
const recording = process.env.RECORD_REGISTER_REPLAY === '1'

const alice = { id: 5_123_456_789, first_name: 'Alice', username: 'alice_tg' }
const group = { id: -1_001_234_567_890, type: 'supergroup' as const, title: 'Bets' }

interface Step { text?: string, chat: 'private' | 'group', sender?: 'anonymous admin', reply: Reply, redeliver?: boolean }

/** The recorded updates: success, wrong token, malformed, in a group, a refused sender, a redelivery. */
const SCRIPT: Array<[string, Step]> = [
  ['success', { text: '/register demo demo-token', chat: 'private', reply: { returnStatus: 0 } }],
  ['wrong token (return 1)', { text: '/register demo wrong-token', chat: 'private', reply: { returnStatus: 1 } }],
  ['wrong token (raised 50001)', { text: '/register demo wrong-token', chat: 'private', reply: { raise: [{ number: 50001, class: 16, message: 'Invalid username or token.' }] } }],
  ['malformed', { text: '/register demo', chat: 'private', reply: { returnStatus: 0 } }],
  ['group', { text: '/register@register_test_bot alice alice-secret-token', chat: 'group', reply: { returnStatus: 0 } }],
  ['refused sender', { text: '/register demo demo-token', chat: 'group', sender: 'anonymous admin', reply: { returnStatus: 0 } }],
  ['redelivery', { text: '/register demo demo-token', chat: 'private', reply: { returnStatus: 0 }, redeliver: true }]
]

/**
 * What a log line says, without what changes from run to run (time, process, the emulator's update id).
 * The metric lines (EMF) are left out: their names are the registry's (issue 17, item 6), pinned by
 * test/plugins/metrics.test.ts and the dashboard checks.
 */
function comparable (lines: readonly string[], updateId: number): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg !== 'metrics')
    .map(({ time, pid, hostname, ...rest }) => rest.updateId === updateId ? { ...rest, updateId: 'the update' } : rest)
}

t.test('/register replays as recorded: replies, calls on the wire, ledger steps and log lines', async (t) => {
  const responder = await TdsResponder.start()
  t.teardown(async () => { await responder.close() })
  const { app, telegram } = await startWorkerFixture(t, { DATABASE_CONNECTION_STRING: responder.connectionString('Connect Timeout=2;Request Timeout=2000') })
  telegram.setBotAdmin(group.id, true)
  const handler = createBatchHandler(app)

  const ledgerSteps: Array<{ step: LedgerStep, remembered: boolean }> = []
  const once = app.updateLedger.once.bind(app.updateLedger)
  app.updateLedger.once = async (updateId, step, work) => {
    const answer = await once(updateId, step, work)
    ledgerSteps.push({ step, remembered: answer.remembered })
    return answer
  }

  const observed: Record<string, unknown> = {}
  for (const [name, step] of SCRIPT) {
    responder.reply = step.reply
    const chat = step.chat === 'group' ? group : undefined
    const from = step.sender === 'anonymous admin' ? anonymousAdmin(group) : { from: alice }
    const update = telegram.sendUserMessage({ ...(chat === undefined ? {} : { chat }), ...from, text: step.text ?? '' })
    const chatId = chat?.id ?? alice.id
    const [calls, replies, logs] = [responder.calls.length, telegram.botMessages(chatId).length, capturedLogLines.length]
    ledgerSteps.length = 0
    const deliveries = step.redeliver === true ? [1, 2] : [1]
    const results = []
    for (const receiveCount of deliveries) results.push(await handler(sqsEvent([updateRecord(update, receiveCount)]), lambdaContext('worker', 60_000)))
    observed[name] = {
      results,
      replies: telegram.botMessages(chatId).slice(replies).map((message) => message.text),
      deleted: telegram.deletedMessageIds(chatId).includes(update.message.message_id),
      calls: responder.calls.slice(calls).map((call) => ({ ...call, parameters: call.parameters.map((parameter) => ({ ...parameter, value: typeof parameter.value === 'bigint' ? String(parameter.value) : parameter.value })) })),
      ledgerSteps: [...ledgerSteps],
      logLines: comparable(capturedLogLines.slice(logs), update.update_id)
    }
  }

  if (recording) {
    writeFileSync(FIXTURE, JSON.stringify(observed, null, 2) + '\n')
    t.pass('recorded')
    return
  }
  const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>
  for (const [name] of SCRIPT) t.same(observed[name], recorded[name], name)
})
