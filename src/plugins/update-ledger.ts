import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError, IdempotencyRecordStatus, makeIdempotent } from '@aws-lambda-powertools/idempotency'
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence'
import type { Context } from 'aws-lambda'
import fp from 'fastify-plugin'
import { setTimeout as sleep } from 'node:timers/promises'
import { LEDGER, RECORD_BUDGET } from '../../infra/settings.js'
import { requireSetting, type Config } from '../config.js'
import { callSignal, deadlineSignal, remainingMs } from '../deadline.js'
import { emulatorCredentials } from '../emulator-credentials.js'
import { SettledFailure, TransientError } from '../errors.js'

/**
 * The side-effect steps of one update, each remembered on its own: `procedure`, the outcome of the
 * command's database contract that writes (src/commands/call-database.ts: one per update; contracts that
 * only read take no step); `reply`, the command's reply confirmed sent (replyOnce, every command);
 * `deletion` and `note`, /register's removal of its message from a group and the delete-your-message note;
 * and on the dead-letter path the update `parked` and the `apology` sent. The names are the stored keys'
 * prefixes: renaming one would make redeliveries across a deploy run the step again.
 */
export type LedgerStep = 'deletion' | 'procedure' | 'reply' | 'note' | 'parked' | 'apology'

/** What a step returns and the ledger stores (DynamoDB's `data` attribute): small and serialisable. */
export type StepResult = string | number | boolean

/** What the ledger stores for a step: its result, or the message of the SettledFailure it ended with. */
type StoredOutcome = StepResult | { readonly settledFailure: string }

export interface UpdateLedger {
  /**
   * Runs `work` unless this step of this update completed before, and gives its result either way
   * (`remembered` says which). A step whose work throws is forgotten, so a redelivery runs it again:
   * an unknown outcome is retried; unless it throws a SettledFailure, which is stored as the step's
   * outcome and thrown again by every later `once` of the step, without running it. A step another
   * invocation is running right now fails with a TransientError (the record is retried, never
   * acknowledged). Once the work has returned (or settled), saving its completion is retried while the
   * step's in-progress record holds; if the ledger stays down that long, the result is still returned
   * (the rest of the update goes on; a settled failure is thrown) and `onCompletionUnsaved` told.
   */
  once: <T extends StepResult>(updateId: number, step: LedgerStep, work: () => Promise<T>) => Promise<{ result: T, remembered: boolean }>
  /** Whether this step of this update completed (for the dead-letter path: was the reply confirmed?). */
  completed: (updateId: number, step: LedgerStep) => Promise<boolean>
}

declare module 'fastify' {
  interface FastifyInstance {
    updateLedger: UpdateLedger
  }
}

/** A step in progress when no update deadline is known (never in the worker, which always sets one). */
const IN_PROGRESS_WITHOUT_DEADLINE_MS = 60_000

/** The longest one ledger call takes: all the SDK's attempts, each bounded (LEDGER in infra/settings.ts). */
const LEDGER_CALL_BOUND_MS = LEDGER.dynamoMaxAttempts * (LEDGER.dynamoConnectTimeoutMs + LEDGER.dynamoRequestTimeoutMs)

/**
 * The DynamoDB client of the ledger: each attempt bounded (LEDGER in infra/settings.ts), the SDK's own
 * retry, and every call aborted at the current update's deadline.
 */
export function createLedgerClient (settings: Config['ledger']): DynamoDBClient {
  const client = new DynamoDBClient({
    region: settings.region,
    endpoint: settings.endpoint,
    maxAttempts: LEDGER.dynamoMaxAttempts,
    requestHandler: { connectionTimeout: LEDGER.dynamoConnectTimeoutMs, requestTimeout: LEDGER.dynamoRequestTimeoutMs, throwOnRequestTimeout: true },
    ...emulatorCredentials(settings.endpoint)
  })
  // Powertools sends without options: give each of its calls the deadline (all attempts together).
  const send = client.send.bind(client) as (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>
  client.send = ((command: unknown, options?: { abortSignal?: AbortSignal }) =>
    send(command, { abortSignal: callSignal(LEDGER_CALL_BOUND_MS), ...options })) as DynamoDBClient['send']
  return client
}

/**
 * Powertools' DynamoDB layer with two changes.
 *
 * Saving a COMPLETED record is not given up after one failed call: Powertools tries once and throws
 * (makeIdempotent then fails, though the work ran), and the step's in-progress record would lapse at
 * the update's deadline, so the redelivery would run the side effect again. The record's update is
 * unconditional (it sets the status, the expiry and the result), so repeating it is harmless. Tried
 * again with a doubling wait (LEDGER in infra/settings.ts) while the in-progress record holds, keeping
 * one call's bound and the reply's reserve for the rest of the update; then the last failure is thrown.
 *
 * An in-progress record the put finds may be its own: the SDK retries a put whose answer was lost or
 * late (a reset connection, the request timeout), and that put had landed. Powertools would report the
 * step "in progress in another invocation", and every redelivery would meet the same record until the
 * update's deadline. The record is this put's when it is in progress with exactly the expiries this put
 * wrote: the in-progress one is the update's deadline to the millisecond, which another invocation's
 * receive of the same update does not share. Two copies of one update in the same batch do share it
 * (its records have one deadline): createUpdateLedger keeps the second from ever reaching the put.
 */
class PatientPersistenceLayer extends DynamoDBPersistenceLayer {
  protected override async _putRecord (record: IdempotencyRecord): Promise<void> {
    try {
      await super._putRecord(record)
    } catch (error) {
      if (!(error instanceof IdempotencyItemAlreadyExistsError)) throw error
      // DynamoDB answers with the record it found (ALL_OLD); an emulator that does not is read, as Powertools then does.
      const found = error.existingRecord ?? await this._getRecord(record.idempotencyKey).catch(() => undefined)
      const own = found !== undefined && found.getStatus() === IdempotencyRecordStatus.INPROGRESS &&
        found.inProgressExpiryTimestamp === record.inProgressExpiryTimestamp && found.expiryTimestamp === record.expiryTimestamp
      if (!own) throw error
    }
  }

  override async saveSuccess (...[data, result]: Parameters<DynamoDBPersistenceLayer['saveSuccess']>): Promise<void> {
    const holdsMs = Math.min(remainingMs(), IN_PROGRESS_WITHOUT_DEADLINE_MS)
    const giveUpAt = Date.now() + holdsMs - LEDGER_CALL_BOUND_MS - RECORD_BUDGET.replyReserveMs
    for (let attempt = 1; ; attempt++) {
      try {
        return await super.saveSuccess(data, result)
      } catch (error) {
        const delay = Math.min(LEDGER.completionRetryFirstDelayMs * 2 ** (attempt - 1), LEDGER.completionRetryMaxDelayMs)
        if (Date.now() + delay > giveUpAt) throw error
        await sleep(delay, undefined, { signal: deadlineSignal() })
      }
    }
  }
}

interface LedgerStepStore {
  store: DynamoDBPersistenceLayer
  run: (updateId: number, work: () => Promise<StoredOutcome>) => Promise<StoredOutcome>
}

/** Told when a step's work returned but its completion could not be saved within the step's time. */
export type CompletionUnsaved = (updateId: number, step: LedgerStep, error: unknown) => void

/** What a step that did not complete throws: the work's own error, or a retry. */
function stepFailure (updateId: number, step: LedgerStep, error: unknown, failure: { error: unknown } | undefined): unknown {
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new TransientError(`update ${updateId}: its ${step} is in progress in another invocation; retried later`)
  }
  // The work's own error wins, even when forgetting the step failed too: its in-progress record then
  // lapses at the update's deadline, before any redelivery.
  if (failure !== undefined) return failure.error
  return new TransientError(`update ${updateId}: the ledger is unavailable (${(error as Error).name})`, { cause: error })
}

/** The ledger on Powertools' idempotency utility with its DynamoDB persistence layer (default attribute names). */
export function createUpdateLedger (client: DynamoDBClient, tableName: string, onCompletionUnsaved: CompletionUnsaved = () => {}): UpdateLedger {
  const config = new IdempotencyConfig({ expiresAfterSeconds: LEDGER.expirySeconds })
  // A step is "in progress" until its update's deadline: after it, a redelivery may take the step over.
  config.registerLambdaContext({
    getRemainingTimeInMillis: () => {
      const left = remainingMs()
      return Number.isFinite(left) ? Math.max(1, left) : IN_PROGRESS_WITHOUT_DEADLINE_MS
    }
  } as Context)

  // One persistence layer per step, each with its constant key prefix (`procedure#<hash of the update_id>`):
  // Powertools re-applies a call's prefix to the shared layer, which records processed in parallel would
  // otherwise overwrite between a step's start and its end. The prefix is explicit so that the Worker and
  // the DeadLetter function (whose names would be the default prefix) read the same records.
  const stepOf = (step: LedgerStep): LedgerStepStore => {
    const store = new PatientPersistenceLayer({ tableName, awsSdkV3Client: client })
    store.configure({ config, keyPrefix: step })
    const run = makeIdempotent(async (_updateId: number, work: () => Promise<StoredOutcome>) => await work(),
      { persistenceStore: store, config, keyPrefix: step, dataIndexArgument: 0 })
    return { store, run }
  }
  const steps: Record<LedgerStep, LedgerStepStore> = {
    deletion: stepOf('deletion'),
    procedure: stepOf('procedure'),
    reply: stepOf('reply'),
    note: stepOf('note'),
    parked: stepOf('parked'),
    apology: stepOf('apology')
  }

  // The steps this process is running, and those whose completion went unsaved, each held until its
  // in-progress record lapses (the update's deadline), as it is held for other invocations. Two copies of
  // one update in a batch (a redelivery beside the original, above all on the dead-letter path, which runs
  // its records in parallel) share that record's expiries, so the put's own-record check above would let
  // the second copy run the step too: it is refused here first.
  const held = new Map<string, { until: number }>()
  const inProgressUntil = (): number => Date.now() + Math.min(remainingMs(), IN_PROGRESS_WITHOUT_DEADLINE_MS)

  return {
    async once (updateId, step, work) {
      type Result = typeof work extends () => Promise<infer R> ? R : never
      const key = `${step}#${updateId}`
      if ((held.get(key)?.until ?? 0) > Date.now()) throw new TransientError(`update ${updateId}: its ${step} is in progress in this invocation; retried later`)
      const hold = { until: inProgressUntil() }
      held.set(key, hold)
      let keepHeld = false
      let ran = false
      let failure: { error: unknown } | undefined
      let settled: SettledFailure | undefined
      let returned: { outcome: StoredOutcome } | undefined
      let outcome: StoredOutcome
      try {
        outcome = await steps[step].run(updateId, async () => {
          ran = true
          try {
            const result = await work()
            returned = { outcome: result }
            return result
          } catch (error) {
            if (error instanceof SettledFailure) {
              settled = error
              returned = { outcome: { settledFailure: error.message } }
              return returned.outcome
            }
            failure = { error }
            throw error
          }
        })
      } catch (error) {
        // The work ran and returned, only its completion could not be saved: its result goes on from
        // memory. A redelivery (after the in-progress record has lapsed) would run the step again.
        if (returned === undefined) throw stepFailure(updateId, step, error, failure)
        keepHeld = true
        setTimeout(() => { if (held.get(key) === hold) held.delete(key) }, hold.until - Date.now()).unref()
        onCompletionUnsaved(updateId, step, error)
        outcome = returned.outcome
      } finally {
        if (!keepHeld && held.get(key) === hold) held.delete(key)
      }
      if (typeof outcome !== 'object') return { result: outcome as Result, remembered: !ran }
      throw settled ?? new SettledFailure(`${outcome.settledFailure} (remembered from an earlier delivery: the ${step} step is not run again)`)
    },

    async completed (updateId, step) {
      try {
        const record = await steps[step].store.getRecord(updateId)
        return record.getStatus() === IdempotencyRecordStatus.COMPLETED
      } catch (error) {
        if (error instanceof IdempotencyItemNotFoundError) return false
        throw new TransientError(`update ${updateId}: the ledger is unavailable (${(error as Error).name})`, { cause: error })
      }
    }
  }
}

/**
 * `fastify.updateLedger`, on the table LEDGER_TABLE (SST link `UpdateLedger`); its client closes with the
 * app. A completion that could not be saved is logged and counted (LedgerCompletionUnsaved, alarmed).
 */
export default fp(async (fastify) => {
  const settings = fastify.config.ledger
  const client = createLedgerClient(settings)
  const completionUnsaved: CompletionUnsaved = (updateId, step, error) => {
    fastify.log.error({ err: error, updateId, step }, 'update ledger: the step ran but its completion could not be saved while its record held; a redelivery may run it again')
    fastify.botMetrics.ledgerCompletionUnsaved()
  }
  fastify.decorate('updateLedger', createUpdateLedger(client, requireSetting(settings.table, 'LEDGER_TABLE'), completionUnsaved))
  fastify.addHook('onClose', async () => { client.destroy() })
}, { name: 'update-ledger', dependencies: ['config', 'metrics'] })
