import t from 'tap'
import { COMMAND_OUTCOME_METRIC } from '../../src/commands/outcomes.js'
import { register } from '../../src/commands/register.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { createBotMetrics, DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME, METRICS_LOG_MESSAGE } from '../../src/plugins/metrics.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { buildTestApp, testConfig } from '../helper.js'
import { capturedLogLines, logLinesWithMessage } from '../support/log-capture.js'
import { anonymousAdmin } from '../support/senders.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { startWorkerFixture } from '../support/worker.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

/** The EMF lines the worker writes (CloudWatch embedded metric format), read back from its log lines. */

interface Emf {
  _aws: { Timestamp: number, CloudWatchMetrics: Array<{ Namespace: string, Dimensions: string[][], Metrics: Array<{ Name: string, Unit: string }> }> }
  [field: string]: unknown
}

/** The EMF log lines written since `from` (an index into the captured lines). */
function emfLinesSince (from: number): Emf[] {
  return capturedLogLines.slice(from).map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === METRICS_LOG_MESSAGE) as unknown as Emf[]
}

/** Metric name → { unit, values } of one EMF line, checked against its own declaration. */
function metricsOf (emf: Emf): Record<string, { unit: string, values: number[] }> {
  const [directive] = emf._aws.CloudWatchMetrics
  const result: Record<string, { unit: string, values: number[] }> = {}
  for (const { Name, Unit } of directive?.Metrics ?? []) {
    const value = emf[Name]
    result[Name] = { unit: Unit, values: Array.isArray(value) ? value as number[] : [value as number] }
  }
  return result
}

/** The line's dimension sets and their values, as CloudWatch reads them: [[name, value], …] per set. */
function dimensionsOf (emf: Emf): Array<Array<[string, unknown]>> {
  return emf._aws.CloudWatchMetrics.flatMap((directive) => directive.Dimensions.map((set) => set.map((name): [string, unknown] => [name, emf[name]])))
}

/** The CommandOutcome values counted for one command and outcome in these lines (the lines of that pair of dimension values). */
function outcomeValues (lines: Emf[], command: string, outcome: string): number[] {
  return lines.filter((emf) => emf.command === command && emf.outcome === outcome).flatMap((emf) => metricsOf(emf)[COMMAND_OUTCOME_METRIC]?.values ?? [])
}

const person = { id: 5301, first_name: 'Pat' }
const group = { id: -100700, type: 'group' as const, title: 'Team' }

t.test('each /register outcome: one CommandOutcome line with service, command and outcome dimensions, beside the batch\'s own line', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.setBotAdmin(group.id, true)
  const handler = createBatchHandler(app)
  const cases: Array<[string, Parameters<typeof telegram.sendUserMessage>[0]]> = [
    ['registered', { from: person, text: '/register demo demo-token' }],
    ['rejected', { from: person, text: '/register demo wrong-token' }],
    ['malformed', { from: person, text: '/register demo' }],
    ['refused-sender', { chat: group, ...anonymousAdmin(group), text: '/register demo demo-token' }]
  ]
  t.same(cases.map(([outcome]) => outcome), register.outcomes, 'every outcome /register declares')
  for (const [outcome, message] of cases) {
    const from = capturedLogLines.length
    const record = updateRecord(telegram.sendUserMessage(message))
    record.attributes.SentTimestamp = String(Date.now() - 1500)
    await handler(sqsEvent([record]), lambdaContext('worker', 60_000))
    const lines = emfLinesSince(from)
    t.equal(lines.length, 2, `${outcome}: two EMF lines for the batch (an EMF line has one value per dimension)`)
    const counted = lines.find((emf) => emf.outcome !== undefined)
    const own = lines.find((emf) => emf.outcome === undefined)
    if (counted === undefined || own === undefined) { t.fail(`${outcome}: lines ${JSON.stringify(lines)}`); continue }

    t.same(counted._aws.CloudWatchMetrics.map((directive) => directive.Namespace), [DEFAULT_METRICS_NAMESPACE])
    t.same(dimensionsOf(counted), [[['service', DEFAULT_SERVICE_NAME], ['command', 'register'], ['outcome', outcome]]], `${outcome}: the dimensions CloudWatch aggregates by`)
    t.same(metricsOf(counted), { [COMMAND_OUTCOME_METRIC]: { unit: 'Count', values: [1] } }, `${outcome}: counted once, nothing else on that line`)

    t.same(dimensionsOf(own), [[['service', DEFAULT_SERVICE_NAME]]], `${outcome}: the update's age under service alone`)
    t.same(Object.keys(metricsOf(own)), ['UpdateAge'])
    t.equal(metricsOf(own).UpdateAge?.unit, 'Milliseconds')
    t.ok((metricsOf(own).UpdateAge?.values[0] ?? 0) >= 1500, `${outcome}: the age counts from SentTimestamp`)
  }
  t.equal(DEFAULT_METRICS_NAMESPACE, 'TelegramRegisterBot')
  t.equal(COMMAND_OUTCOME_METRIC, 'CommandOutcome')
})

t.test('several records of one batch: one line per outcome counted, whose values add up; an empty batch writes none', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const handler = createBatchHandler(app)
  const from = capturedLogLines.length
  const texts = ['/register demo demo-token', '/register alice alice-secret-token', '/register x y', 'hello']
  await handler(sqsEvent(texts.map((text, index) => updateRecord(telegram.sendUserMessage({ from: { id: 5310 + index, first_name: 'P' }, text })))), lambdaContext('worker', 60_000))
  await handler(sqsEvent([]), lambdaContext('worker', 60_000))
  const lines = emfLinesSince(from)
  t.equal(lines.length, 3, 'the batch\'s own line, registered, rejected')
  t.same(outcomeValues(lines, 'register', 'registered'), [1, 1])
  t.same(outcomeValues(lines, 'register', 'rejected'), [1])
  t.same(outcomeValues(lines, 'register', 'malformed'), [])
  t.equal(lines.flatMap((emf) => metricsOf(emf).UpdateAge?.values ?? []).length, 4, 'every processed record, command or not')
})

t.test('the reply failing after the procedure is counted once per update, not per redelivery', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  // A wait longer than the record has left: the reply fails as transient and the update is retried.
  const throttled = { error_code: 429, retry_after: 120, description: 'Too Many Requests: retry after 120' } as const
  telegram.failNext('sendMessage', throttled)
  const record = updateRecord(telegram.sendUserMessage({ from: person, text: '/register demo demo-token' }))
  const from = capturedLogLines.length
  await createBatchHandler(app)(sqsEvent([record]), lambdaContext('worker', 60_000))
  const lines = emfLinesSince(from)
  const own = lines.find((emf) => emf.outcome === undefined) as Emf
  t.same(metricsOf(own).ReplyFailedAfterProcedure, { unit: 'Count', values: [1] })
  t.same(outcomeValues(lines, 'register', 'registered'), [1])

  // SQS delivers it again and the reply fails again: the outcome comes from the ledger, no second count.
  telegram.failNext('sendMessage', throttled)
  const again = capturedLogLines.length
  await createBatchHandler(app)(sqsEvent([record]), lambdaContext('worker', 60_000))
  const redelivered = emfLinesSince(again)
  t.equal(redelivered.length, 1, 'no outcome line')
  t.equal(metricsOf(redelivered[0] as Emf).ReplyFailedAfterProcedure, undefined, 'the redelivery does not count it again')
  t.same(metricsOf(redelivered[0] as Emf).LedgerHit, { unit: 'Count', values: [1] }, 'it is a ledger hit')
})

t.test('a reply Telegram refuses for good after the procedure (the user blocked the bot) is not counted: nothing can be retried', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' })
  const record = updateRecord(telegram.sendUserMessage({ from: { ...person, id: 5302 }, text: '/register demo demo-token' }))
  const from = capturedLogLines.length
  t.same((await createBatchHandler(app)(sqsEvent([record]), lambdaContext('worker', 60_000))).batchItemFailures, [], 'acknowledged')
  const lines = emfLinesSince(from)
  t.equal(lines.flatMap((emf) => metricsOf(emf).ReplyFailedAfterProcedure?.values ?? []).length, 0)
  t.same(outcomeValues(lines, 'register', 'registered'), [1])
  t.equal(logLinesWithMessage('register: Telegram refused the reply after the procedure ran; it cannot be sent').length, 1, 'a warning, not an error')
})

t.test('namespace and service from the environment; written at any LOG_LEVEL; the ledger hit metric; nothing written when disabled', async (t) => {
  const app = await buildTestApp(t, testConfig({ LOG_LEVEL: 'error' }))
  const from = capturedLogLines.length
  const metrics = createBotMetrics(app.log, { POWERTOOLS_METRICS_NAMESPACE: 'Elsewhere', POWERTOOLS_SERVICE_NAME: 'telegram-register-bot-prod' })
  metrics.ledgerHit()
  metrics.updateAge(Number.NaN)
  metrics.commandOutcome(register, 'malformed')
  metrics.commandOutcome(register, 'malformed')
  metrics.flush()
  metrics.flush()
  const lines = emfLinesSince(from)
  t.equal(lines.length, 2, 'one line each, although the log level is error; a second flush has nothing to write')
  t.same(lines.map((emf) => emf._aws.CloudWatchMetrics[0]?.Namespace), ['Elsewhere', 'Elsewhere'])
  t.same(lines.map((emf) => emf.service), ['telegram-register-bot-prod', 'telegram-register-bot-prod'])
  t.same(Object.keys(metricsOf(lines[0] as Emf)), ['LedgerHit'], 'an age that is not a number is not recorded')
  t.same(dimensionsOf(lines[1] as Emf), [[['service', 'telegram-register-bot-prod'], ['command', 'register'], ['outcome', 'malformed']]])
  t.same(outcomeValues(lines, 'register', 'malformed'), [1, 1], 'the same outcome twice: two values on its one line')

  // Powertools reads POWERTOOLS_METRICS_DISABLED from process.env itself when the instance is made.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true'
  t.teardown(() => { delete process.env.POWERTOOLS_METRICS_DISABLED })
  const disabled = createBotMetrics(app.log)
  const before = capturedLogLines.length
  disabled.commandOutcome(register, 'registered')
  disabled.ledgerHit()
  disabled.flush()
  t.same(emfLinesSince(before), [], 'POWERTOOLS_METRICS_DISABLED: nothing written')
})

t.test('a command counts only the outcomes it declares: another does not type-check, and is logged, not counted', async (t) => {
  const app = await buildTestApp(t)
  const from = capturedLogLines.length
  const before = logLinesWithMessage('metrics: an outcome the command does not declare is not counted; add it to its outcomes').length
  const metrics = createBotMetrics(app.log)
  // @ts-expect-error 'timed-out' is not one of /register's outcomes
  metrics.commandOutcome(register, 'timed-out')
  metrics.flush()
  t.same(emfLinesSince(from), [], 'nothing counted')
  const errors = logLinesWithMessage('metrics: an outcome the command does not declare is not counted; add it to its outcomes').slice(before)
  t.match(errors, [{ level: 50, command: 'register', outcome: 'timed-out' }])
})

t.test('a redelivered update is counted once: a malformed or refused /register whose answer is known is not counted again', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.setBotAdmin(group.id, true)
  const records = [
    updateRecord(telegram.sendUserMessage({ from: person, text: '/register demo' })),
    updateRecord(telegram.sendUserMessage({ chat: group, ...anonymousAdmin(group), text: '/register demo demo-token' }))
  ]
  const handler = createBatchHandler(app)
  const from = capturedLogLines.length
  for (const receive of [1, 2]) {
    await handler(sqsEvent(records.map((record) => ({ ...record, messageId: `${record.messageId}-${receive}` }))), lambdaContext('worker', 60_000))
  }
  t.same(outcomeValues(emfLinesSince(from), 'register', 'malformed'), [1])
  t.same(outcomeValues(emfLinesSince(from), 'register', 'refused-sender'), [1])
})
