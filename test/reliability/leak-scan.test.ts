import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { REPLIES } from '../../src/commands/register.js'
import { TransientError } from '../../src/errors.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { startTelegramEmulator } from '../../src/local/telegram-emulator.js'
import { workerPlugins } from '../../src/worker/app.js'
import { APOLOGY } from '../../src/worker/dead-letter.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { buildTestApp, testConfig } from '../helper.js'
import { startLedgerDynamoDb } from '../support/dynamodb.js'
import { injectStoreFaults, startTcpProxy } from '../support/faults.js'
import { capturedLogLines, logLinesWithMessage } from '../support/log-capture.js'
import { assertNoSecretLeaks, botApiTraffic, configuredSecrets, replyTexts, sleep, startRuntime, watchUnhandledRejections } from '../support/reliability.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'

/**
 * The leak scan: one scenario through every path that logs (webhook, worker, Telegram faults,
 * database faults, dead letter, health), with distinctive credentials, at debug level; then no log
 * line and nothing the bot sent to Telegram may hold any of them. The other reliability files end
 * with the same scan over their own scenarios.
 */

const unhandled = watchUnhandledRejections()
const CANARY = {
  devToken: 'LEAKCANARY-dev-token-1a2b3c',
  secondDevToken: 'LEAKCANARY-dev-token-4d5e6f',
  webhookSecret: 'LEAKCANARY_webhook_secret_77',
  wrongToken: 'LEAKCANARY-wrong-token-zzz',
  typoToken: 'LEAKCANARY-typo-token-q',
  dlqToken: 'LEAKCANARY-dlq-token-9x'
}
const secrets: string[] = Object.values(CANARY)
const traffic: Array<() => string[]> = []

const user = (id: number): { id: number, first_name: string } => ({ id, first_name: `User ${id}` })

/** The whole pipeline, every path that logs, with canary credentials. */
async function wholePipeline (t: Test): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'leak-scan-'))
  t.teardown(async () => { await rm(directory, { recursive: true, force: true }) })
  const connectionString = `sqlite:${join(directory, 'LEAKCANARY-db-path.sqlite')}`
  const runtime = await startRuntime(t, {
    DEV_ACCOUNTS: `leakuser:${CANARY.devToken},second:${CANARY.secondDevToken}`,
    TELEGRAM_WEBHOOK_SECRET: CANARY.webhookSecret,
    DATABASE_CONNECTION_STRING: connectionString,
    LOG_LEVEL: 'trace'
  })
  const { emulator, app, webhookUrl } = runtime
  secrets.push(...configuredSecrets(runtime), emulator.token)
  traffic.push(() => botApiTraffic(emulator))

  // A database whose errors quote its connection string, as some drivers do, for one user: to the DLQ.
  // (Never the /register token: keeping request values out of errors is the store's part of the
  // contract, as src/db/mssql-store.ts does; the logger only knows the configured secrets.)
  const doomed = 9006
  injectStoreFaults(app, (request) => request.telegramUserId === doomed
    ? { error: new TransientError(`connection to ${connectionString} failed for ${request.username}`, { cause: new Error(`login to ${connectionString} timed out`) }) }
    : undefined)

  const group = { id: -9100, type: 'group' as const, title: 'Leaky' }
  const adminGroup = { id: -9200, type: 'supergroup' as const, title: 'Tidy' }
  emulator.setBotAdmin(adminGroup.id, true)
  emulator.failNext('sendMessage', { error_code: 500 })
  emulator.sendUserMessage({ from: user(9001), text: `/register leakuser ${CANARY.devToken}` })
  emulator.sendUserMessage({ from: user(9002), text: `/register leakuser ${CANARY.wrongToken}` })
  emulator.sendUserMessage({ from: user(9003), text: `/register ${CANARY.typoToken}` })
  emulator.sendUserMessage({ chat: group, from: user(9004), text: `/register second ${CANARY.secondDevToken}` })
  emulator.sendUserMessage({ chat: adminGroup, from: user(9005), text: `/register@${emulator.botUsername} leakuser ${CANARY.devToken}` })
  emulator.sendUserMessage({ from: user(doomed), text: `/register leakuser ${CANARY.dlqToken}` })

  // Hostile webhook calls: wrong secret (our canary in the body), malformed JSON quoting a token, wrong type.
  const call = async (headers: Record<string, string>, body: string): Promise<number> =>
    (await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })).status
  t.equal(await call({ 'x-telegram-bot-api-secret-token': 'not-it' }, JSON.stringify({ update_id: 1, message: { text: `/register leakuser ${CANARY.devToken}` } })), 401)
  t.equal(await call({ 'x-telegram-bot-api-secret-token': CANARY.webhookSecret }, `{"update_id": 2, "message": {"text": "/register leakuser ${CANARY.devToken}"`), 400)
  t.equal(await call({ 'x-telegram-bot-api-secret-token': CANARY.webhookSecret, 'content-type': 'text/plain' }, CANARY.devToken), 415)
  t.equal((await fetch(webhookUrl.replace('/telegram/webhook', '/health?deep=true'))).status, 200)

  await emulator.waitForBotMessages(9001, 1, 15_000)
  await emulator.waitForBotMessages(9002, 1, 15_000)
  await emulator.waitForBotMessages(9003, 1, 15_000)
  await emulator.waitForBotMessages(group.id, 1, 15_000)
  await emulator.waitForBotMessages(adminGroup.id, 1, 15_000)
  await emulator.waitForBotMessages(doomed, 1, 30_000)
  await sleep(500)
  t.same(replyTexts(emulator, 9001), [REPLIES.registered('leakuser')])
  t.same(replyTexts(emulator, 9002), [REPLIES.rejected])
  t.same(replyTexts(emulator, 9003), [REPLIES.malformed])
  t.same(replyTexts(emulator, group.id), [REPLIES.registered('second')])
  t.same(replyTexts(emulator, adminGroup.id), [REPLIES.registered('leakuser')])
  t.same(replyTexts(emulator, doomed), [APOLOGY])
  t.ok(logLinesWithMessage('update could not be processed and was parked for redrive').length >= 1, 'the dead-letter path ran')
  t.ok(capturedLogLines.some((line) => line.includes('[redacted]')), 'something was redacted along the way')
}

/** Telegram unreachable: network errors quote the Bot API URL, token included. */
async function telegramUnreachable (t: Test): Promise<void> {
  const telegram = await startTelegramEmulator({ botUsername: 'register_test_bot' })
  t.teardown(telegram.close)
  const proxy = await startTcpProxy(telegram.url, 'refuse')
  t.teardown(proxy.close)
  const { env: ledger } = await startLedgerDynamoDb(t)
  const config = testConfig({ ...ledger, TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: proxy.url, DEV_ACCOUNTS: `demo:${CANARY.devToken}` })
  const app = await buildTestApp(t, config, workerPlugins)
  secrets.push(telegram.token, ...(config.telegram.webhookSecret === undefined ? [] : [config.telegram.webhookSecret]))
  traffic.push(() => botApiTraffic(telegram))

  const record = updateRecord(telegram.sendUserMessage({ from: user(9300), text: '/register' }))
  const result = await createBatchHandler(app)(sqsEvent([record]), lambdaContext('worker', 60_000))
  t.same(result.batchItemFailures, [{ itemIdentifier: record.messageId }], 'five network failures: the record is left to SQS')
  const failure = logLinesWithMessage('update failed; SQS will deliver it again').find((line) => line.messageId === record.messageId)
  const cause = JSON.stringify((failure?.err as { cause?: unknown } | undefined)?.cause)
  t.match(cause, /FetchError/, 'the network error is logged as the cause')
  // Telegraf already masks the secret half (`bot<id>:[REDACTED]`); the logger would catch it otherwise.
  t.match(cause, /\/bot(\d+:)?\[redacted\]\/sendMessage/i, 'with the token in its URL redacted')
}

t.test('every path that logs, with canary credentials: the pipeline, and Telegram unreachable (side by side, to save time)', async (t) => {
  await Promise.all([wholePipeline(t), telegramUnreachable(t)])
})

t.test('no secret in any log line or anything sent to Telegram; no unhandled rejection', async (t) => {
  assertNoSecretLeaks(t, secrets, traffic.flatMap((read) => read()))
  t.same(unhandled, [], 'no unhandled rejection')
})
