import t from 'tap'
import { REPLIES } from '../../src/commands/register.js'
import { RETRY_AFTER_SECONDS } from '../../src/plugins/error-handler.js'
import { APOLOGY } from '../../src/worker/dead-letter.js'
import {
  attemptRows, replyTexts, quietPeriod, startPipeline,
  watchForLeaks, type Pipeline
} from '../support/reliability.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'
import { until } from '../support/wait.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

/**
 * SQS unavailable at the webhook, with a proxy between the webhook and the queue. Pins:
 * - the webhook answers 200 only after SendMessage succeeded, and 503 + Retry-After when it failed
 *   (QueueUnavailableError, src/plugins/queue.ts and error-handler.ts): Telegram keeps the update
 *   and retries, so nothing is lost;
 * - MessageDeduplicationId = update_id (src/routes/telegram-webhook.ts): when SQS took the update but
 *   its answer was lost, Telegram's retry is dropped by SQS, so nothing runs twice;
 * - the SQS client's timeouts: a queue that stops answering costs the webhook a bounded time.
 */

const leaks = watchForLeaks()
const DEV_TOKEN = 'queue-outage-demo-token-2b7e'

async function pipelineFor (t: Parameters<typeof startPipeline>[0]): Promise<Pipeline & { proxy: NonNullable<Pipeline['proxy']> }> {
  const pipeline = await startPipeline(t, { proxy: 'refuse', env: { DEV_ACCOUNTS: `demo:${DEV_TOKEN}` } })
  leaks.track(pipeline.runtime.config, pipeline.runtime.emulator)
  if (pipeline.proxy === undefined) throw new Error('expected the proxy')
  return { ...pipeline, proxy: pipeline.proxy }
}

/** A webhook call as Telegram makes it. */
async function postUpdate (pipeline: Pipeline, update: object): Promise<Response> {
  return await fetch(pipeline.runtime.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': pipeline.runtime.config.telegram.webhookSecret ?? '' },
    body: JSON.stringify(update)
  })
}

const user = (id: number): { id: number, first_name: string } => ({ id, first_name: `User ${id}` })
const SCRIPT = [`/register demo ${DEV_TOKEN}`, '/register', '/register demo not-the-token']
const EXPECTED = [REPLIES.registered('demo'), REPLIES.malformed, REPLIES.rejected]

t.test('the queue refuses, then takes updates but loses its answers, then is back: every update answered exactly once, in order', async (t) => {
  const pipeline = await pipelineFor(t)
  const { runtime: { emulator, app }, proxy } = pipeline
  pipeline.startWorker()

  const probe = await postUpdate(pipeline, { update_id: 1, message: { message_id: 1, date: 1, chat: { id: 9, type: 'private' }, from: { id: 9, is_bot: false, first_name: 'P' }, text: 'hi' } })
  t.equal(probe.status, 503, 'queue down: 503')
  t.equal(probe.headers.get('retry-after'), String(RETRY_AFTER_SECONDS), 'with Retry-After')
  t.same(await probe.json(), { error: 'Service Unavailable' }, 'and no internal details')

  const users = Array.from({ length: 6 }, (_, index) => 5000 + index)
  for (const text of SCRIPT) for (const id of users) emulator.sendUserMessage({ from: user(id), text })

  await until(() => proxy.connections.refuse >= 3 * users.length, 'the webhook to be refused by the queue on every chat\'s retries', 10_000)
  t.match(emulator.webhook.last_error_message, /503/, 'Telegram saw 503s')
  t.equal(emulator.webhook.pending_update_count, SCRIPT.length * users.length, 'Telegram still holds every update')
  t.same(emulator.callsOf('sendMessage'), [], 'nothing answered while the queue was down')

  // SQS takes the updates (the worker answers them) but the webhook never hears back: 503 again.
  proxy.setMode('drop-response')
  await until(() => users.every((id) => emulator.botMessages(id).length >= 1), 'the first update of every user to get through SQS', 15_000)
  await until(() => proxy.connections['drop-response'] >= 4 * users.length, 'Telegram to retry the updates SQS took', 15_000)
  t.equal(emulator.webhook.pending_update_count, SCRIPT.length * users.length, 'Telegram still holds every update: it never got a 2xx')

  proxy.setMode('up')
  await emulator.waitUntilDelivered(15_000)
  for (const id of users) await emulator.waitForBotMessages(id, SCRIPT.length, 15_000)
  await quietPeriod()
  for (const id of users) {
    t.same(replyTexts(emulator, id), EXPECTED, `user ${id}: each update answered once, in order`)
    t.same(attemptRows(app, id).map((row) => row.outcome), ['registered', 'rejected'], `user ${id}: the procedure ran once per command`)
  }
  t.notOk(emulator.callsOf('sendMessage').some((call) => call.params.text === APOLOGY), 'nothing dead-lettered')
})

t.test('a queue that stops answering: the webhook still answers 503 within a few seconds', async (t) => {
  const pipeline = await pipelineFor(t)
  pipeline.proxy.setMode('hang')
  const started = Date.now()
  const response = await postUpdate(pipeline, { update_id: 2, message: { message_id: 1, date: 1, chat: { id: 9, type: 'private' }, from: { id: 9, is_bot: false, first_name: 'P' }, text: 'hi' } })
  const elapsed = Date.now() - started
  t.equal(response.status, 503)
  t.ok(elapsed < 8000, `answered after ${elapsed} ms (two attempts of at most 1.5 s each, plus backoff)`)
  t.ok(pipeline.proxy.connections.hang >= 1, 'the request did reach the hung queue')
})

t.test('leak scan and unhandled rejections', async (t) => {
  leaks.assertClean(t, [DEV_TOKEN])
})
