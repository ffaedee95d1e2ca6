import { inspect } from 'node:util'
import mssql, { type ConnectionPool, type Request } from 'mssql'
import { RECORD_BUDGET } from '../../infra/settings.js'
import { callSignal, requireTimeLeft } from '../deadline.js'
import { TransientError } from '../errors.js'
import { CANCEL_TIMEOUT_MS, poolConfigOf } from './mssql-connection.js'
import { ProbeReusingPool } from './probe-reusing-pool.js'
import type { RegistrationOutcome, RegistrationRequest, RegistrationStore } from './registration-store.js'

// ── The stored procedure contract (docs/database.md). Another signature means changing this section only. ──

const REGISTER_PROCEDURE = 'dbo.PartyTelegramUser_REGISTER_tr'
const TELEGRAM_USERNAME_MAX_LENGTH = 64
const USERNAME_MAX_LENGTH = 128
const TOKEN_MAX_LENGTH = 512

/** Errors a procedure raises on purpose (RAISERROR / THROW) are numbered from 50000 up. */
const FIRST_USER_ERROR_NUMBER = 50000

function addRegisterParameters (request: Request, registration: RegistrationRequest): void {
  request.input('TelegramUserId', mssql.BigInt, registration.telegramUserId)
  request.input('TelegramChatId', mssql.BigInt, registration.telegramChatId)
  request.input('TelegramUsername', mssql.NVarChar(TELEGRAM_USERNAME_MAX_LENGTH), registration.telegramUsername ?? null)
  request.input('Username', mssql.NVarChar(USERNAME_MAX_LENGTH), registration.username)
  request.input('Token', mssql.NVarChar(TOKEN_MAX_LENGTH), registration.token)
}

/** What the procedure call came to: its return value, or what was thrown instead. */
type ProcedureAnswer = { returnValue: unknown } | { error: unknown }

/**
 * The contract's mapping, in one place. Return value 0 is `registered`; any other return value, or an
 * error the procedure raised itself (≥ 50000, also when later errors follow it), is `rejected`.
 * Everything else is thrown as TransientError: outages, timeouts and deadlocks heal, and the other SQL
 * errors (2812 procedure missing, 201 parameter missing, 229 permission denied…) are deployment defects
 * that are not the user's fault, so they must not be answered as "rejected" either: the record is retried
 * and lands in the DLQ, whose alarm tells the operators.
 */
function outcomeOf (answer: ProcedureAnswer): RegistrationOutcome {
  if ('returnValue' in answer) return answer.returnValue === 0 ? 'registered' : 'rejected'
  if (raisedErrorNumbers(answer.error).some((number) => number >= FIRST_USER_ERROR_NUMBER)) return 'rejected'
  throw procedureFailure(answer.error)
}

/**
 * A credential that cannot fit its parameter cannot be valid, and tedious would send it anyway (the server
 * then fails the whole call, which would be retried into the DLQ): answered as rejected without a call.
 */
function fitsContract (registration: RegistrationRequest): boolean {
  return registration.username.length <= USERNAME_MAX_LENGTH && registration.token.length <= TOKEN_MAX_LENGTH
}

// ── SQL Server errors ──

/**
 * Server error numbers that heal by themselves. Only numbers the server sends count here: SqlClient's
 * client-side -2 (timeout) and its network numbers (64, 233, 10053, 10054) reach tedious as the error codes
 * ETIMEOUT / ESOCKET instead, which are transient too (see `failure`).
 */
const TRANSIENT_SQL_ERRORS: ReadonlySet<number> = new Set([
  1205, // chosen as deadlock victim
  1222, // lock request timeout
  4060, // cannot open the database (offline, restoring, failing over)
  10928, 10929, // resource limits reached (Azure SQL)
  40197, 40501, 40613, // service error, service busy, database unavailable (Azure SQL reconfiguration)
  49918, 49919, 49920 // cannot process the request: too many operations in progress (Azure SQL)
])

/** The number SQL Server gave the error, when it is an error the server sent (and not a client-side one). */
function sqlErrorNumber (error: unknown): number | undefined {
  const number = (error as { number?: unknown } | undefined)?.number
  return typeof number === 'number' ? number : undefined
}

/** mssql reports the last error of a call and keeps the earlier ones in `precedingErrors`. */
function raisedErrorNumbers (error: unknown): number[] {
  const preceding = (error as { precedingErrors?: unknown } | undefined)?.precedingErrors
  const errors = [error, ...(Array.isArray(preceding) ? preceding : [])]
  return errors.map(sqlErrorNumber).filter((number) => number !== undefined)
}

/**
 * What of a driver error may be kept as a cause: its kind and the server's numbers, never its text or its
 * stack, which may quote a parameter (conversion, truncation and constraint errors quote the value they failed
 * on, whole or truncated, and a procedure may put anything in its messages).
 */
function textlessCause (error: unknown): Error {
  const { name, code, number, state, class: severity, procName, lineNumber } = (error ?? {}) as Record<string, unknown>
  const facts = [typeof code === 'string' ? code : undefined, typeof number === 'number' ? `number ${number}` : undefined]
    .filter((fact) => fact !== undefined).join(', ')
  const cause = new Error(`${typeof name === 'string' ? name : typeof error}${facts === '' ? '' : ` (${facts})`}: the driver's message is withheld, it may quote a parameter`)
  cause.name = 'SqlErrorSummary'
  cause.stack = undefined
  return Object.assign(cause, { code, number, state, class: severity, procName, lineNumber })
}

/** Why a call failed, from the error's number or code only. */
function reasonOf (error: unknown): string {
  const number = sqlErrorNumber(error)
  const { code, name } = error as { code?: unknown, name?: unknown }
  return number === undefined
    ? `request to SQL Server failed (${typeof code === 'string' ? code : String(name)})`
    : TRANSIENT_SQL_ERRORS.has(number)
      ? `SQL Server error ${number} (transient)`
      : `SQL Server error ${number}, which is not an answer about the credentials: a deployment defect (missing procedure or permission, changed signature), retried until the DLQ alarm fires`
}

/** The TransientError for a failed procedure call, which carried the user's parameters: only a textless summary as its cause. */
function procedureFailure (error: unknown): TransientError {
  return new TransientError(`${REGISTER_PROCEDURE}: ${reasonOf(error)}`, { cause: textlessCause(error) })
}

/**
 * The TransientError for a failed call without user parameters (the health probe): the original error is
 * kept as `cause` only when nothing in it mentions a configured secret.
 */
function failure (what: string, error: unknown, secrets: readonly string[]): TransientError {
  const text = inspect(error, { depth: 10 })
  const mentionsSecret = secrets.some((secret) => text.includes(secret))
  return new TransientError(`${what}: ${reasonOf(error)}`, mentionsSecret ? undefined : { cause: error })
}

/** Runs one request, cancelled on the server (tedious sends an ATTENTION) when `signal` aborts. */
async function cancellable<T> (request: Request, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
  signal.throwIfAborted()
  const cancel = (): void => { request.cancel() }
  signal.addEventListener('abort', cancel, { once: true })
  try {
    return await run()
  } finally {
    signal.removeEventListener('abort', cancel)
  }
}

/**
 * The SQL Server adapter. The pool is opened on the first call, so a cold start that never reaches the
 * database pays nothing, and discarded on a failure that is not an answer from the server (connection
 * refused or lost, timeout), so that the next call connects afresh.
 */
export async function createMssqlStore (connectionString: string): Promise<RegistrationStore> {
  const config = poolConfigOf(connectionString)
  const secrets = [connectionString, config.password ?? ''].filter((secret) => secret !== '')
  // The longest one call can take under the bounds above; the procedure is only started inside an
  // update's deadline that covers it and the reply after it.
  const procedureBoundMs = 2 * (config.connectionTimeout ?? 0) + (config.requestTimeout ?? 0) + CANCEL_TIMEOUT_MS
  let current: Promise<ConnectionPool> | undefined

  const retire = (pool: Promise<ConnectionPool>): void => {
    if (current !== pool) return
    current = undefined
    // A pool that broke has nothing to report when it closes.
    pool.then(async (connected) => { await connected.close() }).catch(() => {})
  }

  const openPool = (): Promise<ConnectionPool> => {
    const pool = new ProbeReusingPool(config)
    // The pool also emits what fails a call (a connection it cannot make for it) as an 'error' event, which
    // would crash the process without a listener; the call fails with the same error and retires the pool.
    pool.on('error', () => {})
    return pool.connect()
  }

  const withPool = async <T>(use: (pool: ConnectionPool) => Promise<T>): Promise<T> => {
    const pool = current ??= openPool()
    try {
      return await use(await pool)
    } catch (error) {
      if (sqlErrorNumber(error) === undefined) retire(pool)
      throw error
    }
  }

  return {
    async register (registration) {
      if (!fitsContract(registration)) return 'rejected'
      requireTimeLeft(procedureBoundMs + RECORD_BUDGET.replyReserveMs, REGISTER_PROCEDURE)
      // Cancelled at the update's deadline: the record then fails with an unknown outcome (retried).
      const signal = callSignal(procedureBoundMs)
      const answer = await withPool(async (pool) => {
        const request = pool.request()
        addRegisterParameters(request, registration)
        return await cancellable(request, signal, () => request.execute(REGISTER_PROCEDURE))
      }).then(({ returnValue }): ProcedureAnswer => ({ returnValue }), (error: unknown): ProcedureAnswer => ({ error }))
      return outcomeOf(answer)
    },

    // Connecting is bounded by the connection timeout rather than by the signal (mssql cannot abandon a
    // connect); the query itself is cancelled when the signal aborts.
    async check (signal) {
      try {
        signal.throwIfAborted()
        await withPool(async (pool) => {
          const request = pool.request()
          await cancellable(request, signal, () => request.batch('SELECT 1')) // a plain SQL batch: query() would wrap it in sp_executesql
        })
      } catch (error) {
        throw failure('SELECT 1', error, secrets)
      }
    },

    async close () {
      const pool = current
      current = undefined
      // A pool still connecting cannot be closed: wait for the attempt to end; a failed one has nothing open.
      const connected = await pool?.catch(() => undefined)
      await connected?.close()
    }
  }
}
