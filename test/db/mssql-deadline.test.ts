import t, { type Test } from 'tap'
import { RECORD_BUDGET } from '../../infra/settings.js'
import { registerContract, type RegistrationRequest } from '../../src/commands/register.js'
import type { Database } from '../../src/db/database.js'
import { runWithDeadline } from '../../src/deadline.js'
import type { TdsResponder } from '../support/tds-responder.js'
import { mssqlOnResponder } from '../support/mssql.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

/**
 * The SQL Server adapter inside an update's deadline (src/deadline.ts), through the real mssql/tedious
 * driver against the TDS responder: the procedure is not started when the deadline cannot cover its
 * bound plus the reply. (Cancelling a request at the deadline shares its code with the health probe's
 * cancellation, tested in mssql-database.test.ts; with the start check above, the deadline can only pass
 * mid-request after a slow connect, which the responder cannot play.)
 */

const registration: RegistrationRequest = { telegramUserId: 5001, telegramChatId: 5001, username: 'alice', token: 'deadline-test-token-81d3' }

/** 1 s connect, 5 s request: a bound of 2 × 1 + 5 + 2 (cancel) = 9 s. */
const BOUND_MS = 9000

async function setUp (t: Test): Promise<{ responder: TdsResponder, store: Database }> {
  const { responder, database } = await mssqlOnResponder(t, 'Connect Timeout=1;Request Timeout=5000')
  return { responder, store: database }
}

t.test('not started when the deadline leaves less than the procedure\'s bound plus the reply', async (t) => {
  const { responder, store } = await setUp(t)
  const tooShort = BOUND_MS + RECORD_BUDGET.replyReserveMs - 500
  await t.rejects(runWithDeadline(Date.now() + tooShort, () => store.call(registerContract, registration)), { name: 'TransientError', message: /^not started: dbo\.PartyTelegramUser_REGISTER_tr needs 14000 ms/ })
  t.same(responder.calls, [], 'nothing reached the server')
  t.equal(await runWithDeadline(Date.now() + BOUND_MS + RECORD_BUDGET.replyReserveMs + 500, () => store.call(registerContract, registration)), 'registered', 'started when it fits')
})
