import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import t, { type Test } from 'tap'
import { LEDGER } from '../../infra/settings.js'
import { ConfigError } from '../../src/config.js'
import { runWithDeadline } from '../../src/deadline.js'
import { SettledFailure, TransientError } from '../../src/errors.js'
import metrics from '../../src/plugins/metrics.js'
import updateLedger, { createLedgerClient, createUpdateLedger, type UpdateLedger } from '../../src/plugins/update-ledger.js'
import { buildTestApp, testConfig } from '../helper.js'
import { startLedgerDynamoDb } from '../support/dynamodb.js'
import { startTcpProxy } from '../support/faults.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

/** The ledger through Powertools' real persistence code, against dynalite's real DynamoDB protocol. */

async function ledgerOn (t: Test, endpoint: string, table: string): Promise<UpdateLedger> {
  const client = createLedgerClient({ region: 'us-east-1', endpoint })
  t.teardown(() => { client.destroy() })
  return createUpdateLedger(client, table)
}

async function itemsOf (t: Test, endpoint: string, table: string): Promise<Array<Record<string, unknown>>> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }))
  t.teardown(() => { client.destroy() })
  return (await client.send(new ScanCommand({ TableName: table }))).Items ?? []
}

const deadlineIn = async <T>(ms: number, work: () => Promise<T>): Promise<T> => await runWithDeadline(Date.now() + ms, work)

t.test('a step runs once; its result is remembered in a COMPLETED record that expires after LEDGER.expirySeconds', async (t) => {
  const dynamo = await startLedgerDynamoDb(t)
  const ledger = await ledgerOn(t, dynamo.endpoint, dynamo.ledgerTable)
  let runs = 0
  const work = async (): Promise<string> => { runs++; return 'registered' }
  t.same(await deadlineIn(5000, () => ledger.once(42, 'procedure', work)), { result: 'registered', remembered: false })
  t.same(await deadlineIn(5000, () => ledger.once(42, 'procedure', work)), { result: 'registered', remembered: true })
  t.equal(runs, 1)
  t.equal(await ledger.completed(42, 'procedure'), true)
  t.equal(await ledger.completed(42, 'reply'), false, 'steps are separate records')
  t.equal(await ledger.completed(43, 'procedure'), false, 'updates are separate records')
  const [item] = await itemsOf(t, dynamo.endpoint, dynamo.ledgerTable)
  t.match(item, { status: 'COMPLETED', data: 'registered' })
  t.match(String(item?.id), /^procedure#[A-Za-z0-9+/=]+$/, 'keyed by step and the hashed update_id')
  t.ok(Math.abs(Number(item?.expiration) - Date.now() / 1000 - LEDGER.expirySeconds) < 60, 'expires after LEDGER.expirySeconds')
})

t.test('a step whose work throws is forgotten, so a redelivery runs it again (an unknown outcome is retried)', async (t) => {
  const dynamo = await startLedgerDynamoDb(t)
  const ledger = await ledgerOn(t, dynamo.endpoint, dynamo.ledgerTable)
  let runs = 0
  const failing = async (): Promise<string> => { runs++; throw new TransientError('request timed out after it was sent') }
  await t.rejects(deadlineIn(5000, () => ledger.once(7, 'procedure', failing)), { name: 'TransientError', message: 'request timed out after it was sent' }, 'the work\'s own error')
  t.same(await itemsOf(t, dynamo.endpoint, dynamo.ledgerTable), [], 'no record left behind')
  t.same(await deadlineIn(5000, () => ledger.once(7, 'procedure', async () => { runs++; return 'rejected' })), { result: 'rejected', remembered: false })
  t.equal(runs, 2)
})

t.test('a step whose work throws a SettledFailure completes with it: every later delivery fails with it, without running the step', async (t) => {
  const dynamo = await startLedgerDynamoDb(t)
  const ledger = await ledgerOn(t, dynamo.endpoint, dynamo.ledgerTable)
  let runs = 0
  const unreadable = async (): Promise<string> => { runs++; throw new SettledFailure('dbo.Bet_PLACE_tr: @Balance holds more places than declared') }
  await t.rejects(deadlineIn(5000, () => ledger.once(9, 'procedure', unreadable)), { name: 'SettledFailure', message: 'dbo.Bet_PLACE_tr: @Balance holds more places than declared' }, 'the work\'s own error')
  await t.rejects(deadlineIn(5000, () => ledger.once(9, 'procedure', unreadable)),
    { name: 'SettledFailure', message: 'dbo.Bet_PLACE_tr: @Balance holds more places than declared (remembered from an earlier delivery: the procedure step is not run again)' })
  t.equal(runs, 1, 'the step ran once')
  t.equal(await ledger.completed(9, 'procedure'), true)
  t.match(await itemsOf(t, dynamo.endpoint, dynamo.ledgerTable), [{ status: 'COMPLETED', data: { settledFailure: 'dbo.Bet_PLACE_tr: @Balance holds more places than declared' } }])
})

t.test('a step in progress elsewhere is a retry (TransientError), never an acknowledgement; after its deadline it can be taken over', async (t) => {
  const dynamo = await startLedgerDynamoDb(t)
  const ledger = await ledgerOn(t, dynamo.endpoint, dynamo.ledgerTable)
  // Another invocation: its own ledger, meeting the first's record in the table.
  const elsewhere = await ledgerOn(t, dynamo.endpoint, dynamo.ledgerTable)
  let release = (): void => {}
  let started = (): void => {}
  const holding = new Promise<void>((resolve) => { started = resolve })
  // 3 s: the second call below must meet the first's record while the first holds it, with one core busy.
  const first = deadlineIn(3000, () => ledger.once(9, 'reply', async () => { started(); await new Promise<void>((resolve) => { release = resolve }); return 'sent' }))
  first.catch(() => {})
  // Powertools runs the step only once its in-progress record is written: from here the record is there.
  await holding
  let ran = false
  await t.rejects(deadlineIn(5000, () => elsewhere.once(9, 'reply', async () => { ran = true; return 'sent' })), TransientError, 'in progress: retried')
  t.equal(ran, false)
  await t.rejects(first, { name: 'DeadlineExceededError' }, 'the first holder ran past its deadline')
  release()
  // The first holder's deadline has passed: its in-progress record no longer blocks anyone.
  t.same(await deadlineIn(5000, () => elsewhere.once(9, 'reply', async () => { ran = true; return 'sent' })), { result: 'sent', remembered: false })
  t.equal(ran, true)
})

t.test('a put that landed but whose answer was lost: the SDK\'s retry finds the record it wrote itself, and the step runs', async (t) => {
  const dynamo = await startLedgerDynamoDb(t)
  // The first answer (the in-progress put's) is lost on its way back; from then on the ledger is up.
  const proxy = await startTcpProxy(dynamo.endpoint, 'drop-response', { afterFirstDrop: 'up' })
  t.teardown(proxy.close)
  const ledger = await ledgerOn(t, proxy.url, dynamo.ledgerTable)
  let runs = 0
  t.same(await deadlineIn(5000, () => ledger.once(14, 'procedure', async () => { runs++; return 'registered' })), { result: 'registered', remembered: false },
    'not "in progress in another invocation"')
  t.equal(proxy.dropped, 1, 'the put landed, its answer was lost')
  t.equal(runs, 1)
  t.equal(await ledger.completed(14, 'procedure'), true)
})

t.test('two copies of one update in a batch share its deadline: the second is refused while the first runs, never taken for the first\'s own record', async (t) => {
  const dynamo = await startLedgerDynamoDb(t)
  const ledger = await ledgerOn(t, dynamo.endpoint, dynamo.ledgerTable)
  const at = Date.now() + 5000
  let runs = 0
  let started = (): void => {}
  const holding = new Promise<void>((resolve) => { started = resolve })
  let release = (): void => {}
  const first = runWithDeadline(at, () => ledger.once(15, 'apology', async () => {
    runs++
    started()
    await new Promise<void>((resolve) => { release = resolve })
    return 'sent'
  }))
  await holding
  await t.rejects(runWithDeadline(at, () => ledger.once(15, 'apology', async () => { runs++; return 'sent' })),
    { name: 'TransientError', message: /in progress in this invocation/ }, 'the copy is retried')
  release()
  t.same(await first, { result: 'sent', remembered: false })
  t.same(await runWithDeadline(at, () => ledger.once(15, 'apology', async () => { runs++; return 'sent' })), { result: 'sent', remembered: true },
    'once the first has finished, the copy finds its completion')
  t.equal(runs, 1)
})

t.test('an expired record is not trusted: dynalite never deletes it (no TTL), Powertools checks the expiry itself', async (t) => {
  const dynamo = await startLedgerDynamoDb(t)
  const ledger = await ledgerOn(t, dynamo.endpoint, dynamo.ledgerTable)
  await deadlineIn(5000, () => ledger.once(11, 'apology', async () => 'sent'))
  const [item] = await itemsOf(t, dynamo.endpoint, dynamo.ledgerTable)
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }))
  t.teardown(() => { client.destroy() })
  await client.send(new UpdateCommand({ TableName: dynamo.ledgerTable, Key: { id: item?.id }, UpdateExpression: 'SET expiration = :past', ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 } }))
  t.equal(await ledger.completed(11, 'apology'), false)
  t.same(await deadlineIn(5000, () => ledger.once(11, 'apology', async () => 'sent again')), { result: 'sent again', remembered: false })
})

t.test('a DynamoDB that never answers: the call is aborted at the update\'s deadline, the record fails as transient', async (t) => {
  const dynamo = await startLedgerDynamoDb(t)
  const proxy = await startTcpProxy(dynamo.endpoint, 'hang')
  t.teardown(proxy.close)
  const ledger = await ledgerOn(t, proxy.url, dynamo.ledgerTable)
  let ran = false
  await t.rejects(deadlineIn(600, () => ledger.once(12, 'procedure', async () => { ran = true; return 'registered' })), { name: 'DeadlineExceededError' }, 'failed at the deadline (a TransientError: retried)')
  t.equal(ran, false, 'the procedure is not started without its ledger record')
  await t.rejects(ledger.completed(12, 'reply'), { name: 'TransientError', message: /the ledger is unavailable/ })
})

t.test('a ledger down from right after the work until the step\'s time runs out: the save is retried, then the result is handed on and the caller told once', async (t) => {
  const dynamo = await startLedgerDynamoDb(t)
  const proxy = await startTcpProxy(dynamo.endpoint)
  t.teardown(proxy.close)
  const client = createLedgerClient({ region: 'us-east-1', endpoint: proxy.url })
  t.teardown(() => { client.destroy() })
  const told: Array<[number, string]> = []
  const ledger = createUpdateLedger(client, dynamo.ledgerTable, (updateId, step) => { told.push([updateId, step]) })
  // 12 s of deadline leave about 1 s of retries (one call's bound and the reply's reserve are kept back).
  const at = Date.now() + 12_000
  const outcome = await runWithDeadline(at, () => ledger.once(13, 'procedure', async () => { proxy.setMode('refuse'); return 'registered' }))
  t.same(outcome, { result: 'registered', remembered: false }, 'the result goes on')
  t.same(told, [[13, 'procedure']], 'told once')
  t.ok(proxy.connections.refuse > LEDGER.dynamoMaxAttempts, `the save was tried more than once (${proxy.connections.refuse} refused connections)`)
  proxy.setMode('up')
  t.equal(await ledger.completed(13, 'procedure'), false, 'not recorded: a redelivery after the deadline runs it again (docs/design.md)')
  let ranAgain = false
  await t.rejects(runWithDeadline(at, () => ledger.once(13, 'procedure', async () => { ranAgain = true; return 'registered' })),
    { name: 'TransientError', message: /in progress in this invocation/ }, 'a copy of the update within the same deadline does not run it again')
  t.equal(ranAgain, false)
})

t.test('the plugin: fastify.updateLedger on LEDGER_TABLE; without it, start-up fails with one line', async (t) => {
  const dynamo = await startLedgerDynamoDb(t)
  const app = await buildTestApp(t, testConfig(dynamo.env), [metrics, updateLedger])
  t.same(await deadlineIn(5000, () => app.updateLedger.once(1, 'parked', async () => 'parked')), { result: 'parked', remembered: false })
  t.equal(await app.updateLedger.completed(1, 'parked'), true)
  await t.rejects(buildTestApp(t, testConfig(), [metrics, updateLedger]), new ConfigError('LEDGER_TABLE is required'))
})
