import t from 'tap'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { BETS_REPLIES, openBetsContract } from '../support/commands/bets.js'
import { testCommands } from '../support/commands/index.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { TdsResponder } from '../support/tds-responder.js'
import { startWorkerFixture } from '../support/worker.js'

// A command that reads a table-valued function, only in the tests' registry: on SQLite and on SQL Server.

const bob = { id: 5002, first_name: 'Bob' }
const context = (): ReturnType<typeof lambdaContext> => lambdaContext('worker', 60_000)
const columns = openBetsContract.kind === 'table-function' ? openBetsContract.resultColumns : []

t.test('SQLite: the seeded open bet of the linked account, its bigint id exact beyond 2^53', async (t) => {
  const { app, telegram } = await startWorkerFixture(t, {}, undefined, testCommands)
  const handler = createBatchHandler(app)
  for (const text of ['/bets', '/register alice alice-secret-token', '/bets']) {
    await handler(sqsEvent([updateRecord(telegram.sendUserMessage({ from: bob, text }))]), context())
  }
  const texts = telegram.botMessages(bob.id).map((message) => message.text)
  t.same([texts[0], texts[2]], [BETS_REPLIES.none, 'Your open bets:\n#9007199254740994 Final: Reds v Blues: 25.00, placed 2026-11-28'])
})

t.test('SQL Server: SELECT of the declared columns FROM the function through sp_executesql, typed parameters, every column type read', async (t) => {
  const responder = await TdsResponder.start()
  t.teardown(async () => { await responder.close() })
  const { app, telegram } = await startWorkerFixture(t, { DATABASE_CONNECTION_STRING: responder.connectionString('Connect Timeout=2;Request Timeout=2000') }, undefined, testCommands)
  responder.reply = {
    resultSets: [{
      columns,
      rows: [
        { BetId: '9223372036854775807', Event: 'Final: Reds v Blues', Stake: '1000000.05', PlacedAt: new Date('2026-11-28T18:00:00Z'), Boosted: true },
        { BetId: '7', Event: 'Semi: Greens v Golds', Stake: '-0.50', PlacedAt: new Date('2026-11-20T09:30:00Z'), Boosted: null }
      ]
    }]
  }
  t.same((await createBatchHandler(app)(sqsEvent([updateRecord(telegram.sendUserMessage({ from: bob, text: '/bets' }))]), context())).batchItemFailures, [])
  t.same(responder.calls, [{
    procedure: 'sp_executesql',
    statement: 'SELECT [BetId], [Event], [Stake], [PlacedAt], [Boosted] FROM dbo.PartyOpenBets_tf(@TelegramUserId, @MaxRows)',
    parameters: [
      { name: '@TelegramUserId', type: 'INTN', length: 8, value: 5002n },
      { name: '@MaxRows', type: 'INTN', length: 4, value: 5 }
    ]
  }])
  t.same(telegram.botMessages(bob.id).map((message) => message.text), [
    'Your open bets:\n#9223372036854775807 Final: Reds v Blues: 1000000.05 (boosted), placed 2026-11-28\n#7 Semi: Greens v Golds: -0.50, placed 2026-11-20'
  ])
})
