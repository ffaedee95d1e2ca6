import t from 'tap'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { createBotMetrics, DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME, METRICS_LOG_MESSAGE } from '../../src/plugins/metrics.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { buildTestApp, testConfig } from '../helper.js'
import { capturedLogLines } from '../support/log-capture.js'
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

const person = { id: 5301, first_name: 'Pat' }
const group = { id: -100700, type: 'group' as const, title: 'Team' }

t.test('one EMF line per batch for each registration outcome: namespace, service dimension, metric and value', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.setBotAdmin(group.id, true)
  const handler = createBatchHandler(app)
  const cases: Array<[string, Parameters<typeof telegram.sendUserMessage>[0]]> = [
    ['RegistrationRegistered', { from: person, text: '/register demo demo-token' }],
    ['RegistrationRejected', { from: person, text: '/register demo wrong-token' }],
    ['RegistrationMalformed', { from: person, text: '/register demo' }],
    ['RegistrationRefusedSender', { chat: group, ...anonymousAdmin(group), text: '/register demo demo-token' }]
  ]
  for (const [metric, message] of cases) {
    const from = capturedLogLines.length
    const record = updateRecord(telegram.sendUserMessage(message))
    record.attributes.SentTimestamp = String(Date.now() - 1500)
    await handler(sqsEvent([record]), lambdaContext('worker', 60_000))
    const lines = emfLinesSince(from)
    t.equal(lines.length, 1, `${metric}: one EMF line for the batch`)
    const [emf] = lines
    if (emf === undefined) continue
    t.same(emf._aws.CloudWatchMetrics.map((directive) => [directive.Namespace, directive.Dimensions]), [[DEFAULT_METRICS_NAMESPACE, [['service']]]], `${metric}: namespace and dimension`)
    t.equal(emf.service, DEFAULT_SERVICE_NAME)
    t.equal(DEFAULT_METRICS_NAMESPACE, 'TelegramRegisterBot')
    const metrics = metricsOf(emf)
    t.same(Object.keys(metrics).sort(), [metric, 'UpdateAge'].sort(), `${metric}: that outcome and the update's age, nothing else`)
    t.same(metrics[metric], { unit: 'Count', values: [1] })
    t.equal(metrics.UpdateAge?.unit, 'Milliseconds')
    t.ok((metrics.UpdateAge?.values[0] ?? 0) >= 1500, `${metric}: the age counts from SentTimestamp`)
  }
})

t.test('several records of one batch: one line whose values add up; an empty batch writes none', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const handler = createBatchHandler(app)
  const from = capturedLogLines.length
  const texts = ['/register demo demo-token', '/register alice alice-secret-token', '/register x y', 'hello']
  await handler(sqsEvent(texts.map((text, index) => updateRecord(telegram.sendUserMessage({ from: { id: 5310 + index, first_name: 'P' }, text })))), lambdaContext('worker', 60_000))
  await handler(sqsEvent([]), lambdaContext('worker', 60_000))
  const lines = emfLinesSince(from)
  t.equal(lines.length, 1)
  const metrics = metricsOf(lines[0] as Emf)
  t.same(metrics.RegistrationRegistered?.values, [1, 1])
  t.same(metrics.RegistrationRejected?.values, [1])
  t.equal(metrics.UpdateAge?.values.length, 4, 'every processed record, command or not')
})

t.test('the reply failing after the procedure is counted once per update, not per redelivery', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  telegram.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' })
  const record = updateRecord(telegram.sendUserMessage({ from: person, text: '/register demo demo-token' }))
  const from = capturedLogLines.length
  await createBatchHandler(app)(sqsEvent([record]), lambdaContext('worker', 60_000))
  const metrics = metricsOf(emfLinesSince(from)[0] as Emf)
  t.same(metrics.ReplyFailedAfterProcedure, { unit: 'Count', values: [1] })
  t.same(metrics.RegistrationRegistered, { unit: 'Count', values: [1] })

  // SQS delivers it again and the reply fails again: the outcome comes from the ledger, no second count.
  telegram.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' })
  const again = capturedLogLines.length
  await createBatchHandler(app)(sqsEvent([record]), lambdaContext('worker', 60_000))
  const redelivered = metricsOf(emfLinesSince(again)[0] as Emf)
  t.equal(redelivered.ReplyFailedAfterProcedure, undefined, 'the redelivery does not count it again')
  t.same(redelivered.LedgerHit, { unit: 'Count', values: [1] }, 'it is a ledger hit')
})

t.test('namespace and service from the environment; written at any LOG_LEVEL; the ledger hit metric; nothing written when disabled', async (t) => {
  const app = await buildTestApp(t, testConfig({ LOG_LEVEL: 'error' }))
  const from = capturedLogLines.length
  const metrics = createBotMetrics(app.log, { POWERTOOLS_METRICS_NAMESPACE: 'Elsewhere', POWERTOOLS_SERVICE_NAME: 'telegram-register-bot-prod' })
  metrics.ledgerHit()
  metrics.updateAge(Number.NaN)
  metrics.flush()
  metrics.flush()
  const lines = emfLinesSince(from)
  t.equal(lines.length, 1, 'one line, although the log level is error; a second flush has nothing to write')
  t.equal(lines[0]?._aws.CloudWatchMetrics[0]?.Namespace, 'Elsewhere')
  t.equal(lines[0]?.service, 'telegram-register-bot-prod')
  t.same(Object.keys(metricsOf(lines[0] as Emf)), ['LedgerHit'], 'an age that is not a number is not recorded')

  // Powertools reads POWERTOOLS_METRICS_DISABLED from process.env itself when the instance is made.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true'
  t.teardown(() => { delete process.env.POWERTOOLS_METRICS_DISABLED })
  const disabled = createBotMetrics(app.log)
  const before = capturedLogLines.length
  disabled.registrationRegistered()
  disabled.flush()
  t.same(emfLinesSince(before), [], 'POWERTOOLS_METRICS_DISABLED: nothing written')
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
  const counted = (name: string): number => emfLinesSince(from).flatMap((emf) => metricsOf(emf)[name]?.values ?? []).reduce((sum, value) => sum + value, 0)
  t.equal(counted('RegistrationMalformed'), 1)
  t.equal(counted('RegistrationRefusedSender'), 1)
})
