import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import type { BotCommand } from '../../src/commands/command.js'
import { commands as botCommands } from '../../src/commands/index.js'
import { sql, type DatabaseContract } from '../../src/db/contract.js'
import { declaredContracts } from '../../src/db/declared-contracts.js'
import { CATALOG_CANNOT_TELL } from '../../src/db/verify.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { workerPluginsFor } from '../../src/worker/app.js'
import { createWorkerHandler } from '../../src/worker/handler.js'
import { isVerificationRequest, VERIFICATION_REQUEST } from '../../src/worker/verification-request.js'
import { buildTestApp, testConfig } from '../helper.js'
import { startLedgerDynamoDb } from '../support/dynamodb.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { catalogOf } from '../support/tds-catalog.js'
import { TdsResponder } from '../support/tds-responder.js'

/** A command that exists only here, declaring one contract (the `contracts` field the registry reads). */
const balance: DatabaseContract<{ userId: string }> = {
  name: 'dbo.Balance_GET',
  kind: 'procedure',
  effect: 'reads',
  parameters: [{ name: 'TelegramUserId', type: sql.bigint(), from: (input) => input.userId }],
  resultColumns: [{ name: 'Amount', type: sql.decimal(18, 2), nullable: true }],
  outcome: (answer) => answer.rows
}
const balanceCommand = { name: 'balance', description: 'Balance', usage: '/balance', inGroups: 'always', outcomes: [], handle: async () => {}, contracts: [balance] } as BotCommand

/** The worker app on the TDS responder, with the bot's registry and the command above. */
async function workerOn (t: Test, responder: TdsResponder): Promise<FastifyInstance> {
  const dynamo = await startLedgerDynamoDb(t)
  const config = testConfig({ ...dynamo.env, DATABASE_CONNECTION_STRING: responder.connectionString('Connect Timeout=2') })
  return await buildTestApp(t, config, workerPluginsFor([...botCommands, balanceCommand]))
}

async function startResponder (t: Test): Promise<TdsResponder> {
  const responder = await TdsResponder.start()
  t.teardown(async () => { await responder.close() })
  return responder
}

t.test('the verification request: the Worker answers the report of its registry\'s contracts', async (t) => {
  const responder = await startResponder(t)
  const handler = createWorkerHandler(await workerOn(t, responder))
  const declared = declaredContracts([...botCommands, balanceCommand])
  for (const contract of declared) responder.catalog[contract.name] = catalogOf(contract)
  const report = await handler({ ...VERIFICATION_REQUEST }, lambdaContext('worker', 60_000))
  t.same(report, { ok: true, lines: [...declared.map((contract) => `ok ${contract.name}`), CATALOG_CANNOT_TELL] })
  t.ok(declared.some((contract) => contract.name === 'dbo.Balance_GET'))

  responder.catalog['dbo.Balance_GET'] = { ...catalogOf(balance as unknown as DatabaseContract), canExecute: false }
  const failing = await handler({ ...VERIFICATION_REQUEST }, lambdaContext('worker', 60_000))
  t.equal((failing as { ok: boolean }).ok, false)
  t.ok((failing as { lines: string[] }).lines.includes('dbo.Balance_GET: the login may not EXECUTE it'))
})

t.test('an SQS event can never trigger it, whatever its records hold', async (t) => {
  const responder = await startResponder(t)
  const handler = createWorkerHandler(await workerOn(t, responder))
  const record = updateRecord({ update_id: 1 })
  const asRequest = { ...record, body: JSON.stringify(VERIFICATION_REQUEST) }
  const event = { ...sqsEvent([asRequest]), request: 'db:verify' }
  const answer = await handler(event, lambdaContext('worker', 60_000))
  t.ok('batchItemFailures' in answer, 'processed as a batch')
  t.notOk('lines' in answer, 'no report')
  t.same(responder.calls.filter((call) => call.procedure === 'sp_executesql'), [], 'no catalog query was sent')
})

t.test('only an event of exactly the request\'s shape is one', async (t) => {
  t.ok(isVerificationRequest({ request: 'db:verify' }))
  for (const event of [null, 'db:verify', [VERIFICATION_REQUEST], { request: 'db:verify', Records: [] }, { Records: [{ body: '{"request":"db:verify"}' }] }, { request: 'other' }, {}]) {
    t.notOk(isVerificationRequest(event), JSON.stringify(event))
  }
})
