import t from 'tap'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { balanceContract, BALANCE_REPLIES } from '../support/commands/balance.js'
import { testCommands } from '../support/commands/index.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { TdsResponder } from '../support/tds-responder.js'
import { startWorkerFixture } from '../support/worker.js'

// A command that exists only in the tests, in a worker built with the tests' registry: through the SQLite
// database (its local implementation) and through the real mssql driver against the TDS responder.

const alice = { id: 5_123_456_789, first_name: 'Alice', username: 'alice_tg' }
const context = (): ReturnType<typeof lambdaContext> => lambdaContext('worker', 60_000)

t.test('SQLite: no row before /register, the seeded balance after it, as an exact decimal', async (t) => {
  const { app, telegram } = await startWorkerFixture(t, {}, undefined, testCommands)
  const handler = createBatchHandler(app)
  for (const text of ['/balance', '/register demo demo-token', '/balance']) {
    t.same((await handler(sqsEvent([updateRecord(telegram.sendUserMessage({ from: alice, text }))]), context())).batchItemFailures, [])
  }
  t.same(telegram.botMessages(alice.id).map((message) => message.text).filter((text) => !/^Registration/.test(text ?? '')),
    [BALANCE_REPLIES.unregistered, 'Your balance: 1234.50 EUR'])
})

t.test('SQL Server: the procedure is called with @TelegramUserId bigint, its row read with the decimal exact; a redelivery reads again and replies once', async (t) => {
  const responder = await TdsResponder.start()
  t.teardown(async () => { await responder.close() })
  const { app, telegram } = await startWorkerFixture(t, { DATABASE_CONNECTION_STRING: responder.connectionString('Connect Timeout=2;Request Timeout=2000') }, undefined, testCommands)
  const handler = createBatchHandler(app)
  responder.reply = { resultSets: [{ columns: balanceContract.kind === 'procedure' ? balanceContract.resultColumns ?? [] : [], rows: [{ Currency: 'EUR', Amount: '22517998136852.47' }] }] }
  const record = updateRecord(telegram.sendUserMessage({ from: alice, text: '/balance' }))
  await handler(sqsEvent([record]), context())
  await handler(sqsEvent([{ ...record, messageId: 'again' }]), context())
  t.same(responder.calls.map((call) => call.procedure), ['dbo.PartyBalance_GET_tr', 'dbo.PartyBalance_GET_tr'], 'a read runs on each delivery: no ledger step')
  t.same(responder.calls[0]?.parameters, [{ name: '@TelegramUserId', type: 'INTN', length: 8, value: 5_123_456_789n }])
  t.same(telegram.botMessages(alice.id).map((message) => message.text), ['Your balance: 22517998136852.47 EUR'], 'the largest exact decimal(18,2), replied once')

  responder.reply = { resultSets: [{ columns: balanceContract.kind === 'procedure' ? balanceContract.resultColumns ?? [] : [], rows: [] }] }
  await handler(sqsEvent([updateRecord(telegram.sendUserMessage({ from: alice, text: '/balance' }))]), context())
  t.equal(telegram.botMessages(alice.id).at(-1)?.text, BALANCE_REPLIES.unregistered, 'no row: not registered')
})
