import type { DatabaseContract } from '../db/contract.js'
import { AnswerUnreadableError } from '../db/database.js'
import type { StepResult } from '../plugins/update-ledger.js'
import type { CommandInvocation } from './command.js'

/** The ledger stores a step's result as a scalar: a contract that writes maps its answer to one. */
function storable (contract: string, outcome: unknown): StepResult {
  if (typeof outcome === 'string' || typeof outcome === 'number' || typeof outcome === 'boolean') return outcome
  throw new AnswerUnreadableError(`${contract}: a contract that writes must map its answer to a string, number or boolean, which the update ledger stores`)
}

/**
 * Runs one of a command's contracts for this update. A contract that `writes` runs through the update
 * ledger's `procedure` step: its outcome is stored under the update, and a redelivery gets it from there
 * without calling again (`remembered`), and so is an answer that could not be read (AnswerUnreadableError,
 * thrown again on every redelivery: the object is not run a second time). One that `reads` runs on every
 * delivery; the command's reply still goes out once (replyOnce). A TransientError propagates: the record
 * is retried.
 */
export async function callDatabase<Input, Outcome> (
  { ctx, app }: CommandInvocation,
  contract: DatabaseContract<Input, Outcome>,
  input: Input
): Promise<{ outcome: Outcome, remembered: boolean }> {
  if (contract.effect === 'reads') return { outcome: await app.database.call(contract, input), remembered: false }
  const { result, remembered } = await app.updateLedger.once(ctx.update.update_id, 'procedure',
    async () => storable(contract.name, await app.database.call(contract, input)))
  return { outcome: result as Outcome, remembered }
}
