import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { secretsOf } from '../../src/app.js'
import { REPLIES, TEXTS } from '../../src/commands/register.js'
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
import { assertNoSecretLeaks, assertNoTokenRuns, botApiTraffic, configuredSecrets, replyTexts, sleep, startRuntime, watchUnhandledRejections } from '../support/reliability.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { TdsResponder, type SqlServerError } from '../support/tds-responder.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

/**
 * The leak scan: one scenario through every path that logs (webhook, worker, Telegram faults,
 * database faults, SQL Server errors, dead letter, health), with distinctive credentials, at debug level;
 * then no log line and nothing the bot sent to Telegram may hold any of them, nor any run of 6 characters
 * of a /register token. The other reliability files end with the whole-value scan over their own scenarios.
 */

const unhandled = watchUnhandledRejections()
/** /register tokens: no run of 6 of their characters may show anywhere, so none shares a run with the others or with ordinary text. */
const TOKENS = {
  devToken: 'Kx7Qm2-Vd9Lp4-Ht3Wz8',
  secondDevToken: 'Rb5Ny8-Jc2Fs6-Pq1Gt7',
  wrongToken: 'Zm4Tv1-Wk8Hd3-Lx6Ec9',
  typoToken: 'Yp2Gc7-Qn5Rv8-Ms4Bj1',
  dlqToken: 'Ud9Fk3-Xa6Ze1-Nw7Ch5'
}
/** One token per database error the SQL Server scenario raises. */
const SQL_TOKENS = ['Gh3Vq8-Tb1Mx5-Dz7Kw2', 'Fn6Rc9-Lj4Yp2-Bs8Ht1', 'Wq1Zd5-Ck7Np3-Xv9Jm6', 'Hb8Tx2-Ry5Gf1-Mk3Qs7', 'Pc4Lw9-Ev2Dn6-Az8Uj3', 'Nt7Ks1-Oq3Hx8-Ib5Vr4']
const CANARY = { ...TOKENS, webhookSecret: 'LEAKCANARY_webhook_secret_77' }
const secrets: string[] = Object.values(CANARY)
const tokens: string[] = [...Object.values(TOKENS), ...SQL_TOKENS]
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
  // contract, as src/db/mssql-errors.ts does; the logger only knows the configured secrets.)
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
  await emulator.waitForBotMessages(group.id, 2, 15_000)
  await emulator.waitForBotMessages(adminGroup.id, 1, 15_000)
  await emulator.waitForBotMessages(doomed, 1, 30_000)
  await sleep(500)
  t.same(replyTexts(emulator, 9001), [REPLIES.registered('leakuser')])
  t.same(replyTexts(emulator, 9002), [REPLIES.rejected])
  t.same(replyTexts(emulator, 9003), [REPLIES.malformed])
  t.same(replyTexts(emulator, group.id), [REPLIES.registered('second'), TEXTS.deleteYourMessage(emulator.botUsername)])
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

/**
 * SQL Server (the real driver against the TDS responder) raising errors that quote the token: whole,
 * truncated, unquoted, in an earlier error of the call, in a transient error, in the procedure's own error.
 */
async function databaseErrorsQuotingTokens (t: Test): Promise<void> {
  const responder = await TdsResponder.start()
  t.teardown(async () => { await responder.close() })
  const telegram = await startTelegramEmulator({ botUsername: 'register_test_bot' })
  t.teardown(telegram.close)
  const { env: ledger } = await startLedgerDynamoDb(t)
  const config = testConfig({
    ...ledger,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    DATABASE_CONNECTION_STRING: responder.connectionString('Connect Timeout=1;Request Timeout=300'),
    LOG_LEVEL: 'trace'
  })
  const app = await buildTestApp(t, config, workerPlugins)
  secrets.push(...secretsOf(config), TdsResponder.password)
  traffic.push(() => botApiTraffic(telegram))

  const [whole = '', truncated = '', unquoted = '', earlier = '', transient = '', ownError = ''] = SQL_TOKENS
  const raises: Array<[string, SqlServerError[]]> = [
    [whole, [{ number: 245, class: 16, message: `Conversion failed when converting the nvarchar value '${whole}' to data type int.` }]],
    [truncated, [{ number: 2628, class: 16, message: `String or binary data would be truncated in table 'registrations.dbo.Link', column 'Token'. Truncated value: '${truncated.slice(0, 9)}'.` }]],
    [unquoted, [{ number: 547, class: 16, message: `The INSERT statement conflicted with the CHECK constraint near ${unquoted.slice(4, 13)}.` }]],
    [earlier, [{ number: 8152, class: 16, message: `value ${earlier.slice(-7)} is too long` }, { number: 3609, class: 16, message: 'The transaction ended in the trigger.' }]],
    [transient, [{ number: 1205, class: 13, message: `deadlocked while writing ${transient}` }]],
    [ownError, [{ number: 50001, class: 16, message: `Invalid token ${ownError}` }]]
  ]
  const handler = createBatchHandler(app)
  for (const [index, [token, raise]] of raises.entries()) {
    responder.reply = { raise }
    const record = updateRecord(telegram.sendUserMessage({ from: user(9400 + index), text: `/register leakuser ${token}` }))
    const result = await handler(sqsEvent([record]), lambdaContext('worker', 60_000))
    t.equal(result.batchItemFailures.length, raise[0]?.number === 50001 ? 0 : 1, `error ${raise[0]?.number ?? ''}: ${raise[0]?.number === 50001 ? 'rejected' : 'retried'}`)
  }
  t.same(replyTexts(telegram, 9405), [REPLIES.rejected], 'the procedure\'s own error is an answer')
  t.ok(logLinesWithMessage('update failed; SQS will deliver it again').length >= 5, 'the failures were logged, with their causes')
}

t.test('every path that logs, with canary credentials: the pipeline, Telegram unreachable, SQL Server errors quoting tokens (side by side, to save time)', async (t) => {
  await Promise.all([wholePipeline(t), telegramUnreachable(t), databaseErrorsQuotingTokens(t)])
})

t.test('no secret in any log line or anything sent to Telegram, nor a run of 6 characters of a /register token; no unhandled rejection', async (t) => {
  const sent = traffic.flatMap((read) => read())
  assertNoSecretLeaks(t, secrets, sent)
  assertNoTokenRuns(t, tokens, sent)
  t.same(unhandled, [], 'no unhandled rejection')
})
