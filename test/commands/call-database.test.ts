import t from 'tap'
import { callDatabase } from '../../src/commands/call-database.js'
import { sql, type DatabaseContract } from '../../src/db/contract.js'
import { AnswerUnreadableError } from '../../src/db/database.js'
import { openSqliteDatabase } from '../../src/db/sqlite-database.js'
import { runWithDeadline } from '../../src/deadline.js'
import { TransientError } from '../../src/errors.js'
import { createLedgerClient, createUpdateLedger } from '../../src/plugins/update-ledger.js'
import { testConfig } from '../helper.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'
import { startLedgerDynamoDb } from '../support/dynamodb.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

// callDatabase with the real ledger (Powertools on dynalite) and the embedded database: what a contract that
// writes does across deliveries of one update.

t.test('a contract that writes whose answer cannot be read runs once: every delivery fails (to the DLQ), none runs it again', async (t) => {
  const dynamo = await startLedgerDynamoDb(t)
  const client = createLedgerClient({ region: 'us-east-1', endpoint: dynamo.endpoint })
  t.teardown(() => { client.destroy() })
  const updateLedger = createUpdateLedger(client, dynamo.ledgerTable)
  let placed = 0
  let failNext: TransientError | undefined
  const database = openSqliteDatabase(':memory:', testConfig().database, [{
    schema: '',
    implementations: {
      'dbo.Bet_PLACE_tr': () => {
        if (failNext !== undefined) throw failNext
        placed++
        return { returnValue: 0, output: { BetId: String(placed) }, rows: [] }
      }
    }
  }])
  t.teardown(async () => { await database.close() })
  // The object now answers without the row its contract's mapping reads.
  const placeBet: DatabaseContract<object, string> = {
    name: 'dbo.Bet_PLACE_tr',
    kind: 'procedure',
    parameters: [{ name: 'BetId', type: sql.bigint(), from: () => null, output: true }],
    effect: 'writes',
    outcome: ({ rows: [row] }) => {
      if (row === undefined) throw new TypeError('no confirmation row for this bet')
      return String(row.Confirmation)
    }
  }
  const deliver = async (updateId: number): Promise<unknown> => await runWithDeadline(Date.now() + 5000, async () =>
    await callDatabase({ ctx: { update: { update_id: updateId } }, app: { database, updateLedger } } as never, placeBet, {}))
    .then(() => undefined, (error: unknown) => error)

  const first = await deliver(1)
  t.type(first, AnswerUnreadableError)
  t.equal((first as Error).message, 'dbo.Bet_PLACE_tr: its outcome mapping threw TypeError on the answer (text withheld); it must accept every answer its contract declares')
  for (let delivery = 2; delivery <= 5; delivery++) {
    const again = await deliver(1)
    t.match(again, { name: 'SettledFailure', message: /^dbo\.Bet_PLACE_tr: its outcome mapping threw TypeError .* \(remembered from an earlier delivery: the procedure step is not run again\)$/ }, `delivery ${delivery}`)
  }
  t.equal(placed, 1, 'the bet was placed once')

  // Unlike a failure of the call itself, which leaves the outcome unknown: that one is run again.
  failNext = new TransientError('connection lost')
  t.match(await deliver(2), { name: 'TransientError' })
  failNext = undefined
  t.type(await deliver(2), AnswerUnreadableError, 'the next delivery runs it')
  t.equal(placed, 2)
})
