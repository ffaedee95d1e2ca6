import { inspect } from 'node:util'
import { TransientError } from '../errors.js'

/** Errors an object raises on purpose (RAISERROR / THROW) are numbered from 50000 up: an answer, not a failure. */
export const FIRST_USER_ERROR_NUMBER = 50000

/**
 * Server error numbers that heal by themselves. Only numbers the server sends count here: SqlClient's
 * client-side -2 (timeout) and its network numbers (64, 233, 10053, 10054) reach tedious as the error codes
 * ETIMEOUT / ESOCKET instead, which are transient too (see `reasonOf`).
 */
const TRANSIENT_SQL_ERRORS: ReadonlySet<number> = new Set([
  1204, // the server could not take a lock: out of lock resources for now
  1205, // chosen as deadlock victim
  1222, // lock request timeout
  3960, // snapshot isolation: the row was changed by another transaction since this one began
  41301, 41302, 41305, 41325, 41839, // memory-optimized tables: a commit dependency or validation conflict
  4221, // a readable secondary still starting versioning (Always On read-only routing)
  4060, // cannot open the database (offline, restoring, failing over)
  10928, 10929, // resource limits reached (Azure SQL)
  40197, 40501, 40613, // service error, service busy, database unavailable (Azure SQL reconfiguration)
  49918, 49919, 49920 // cannot process the request: too many operations in progress (Azure SQL)
])

/**
 * Server error numbers that say the call and the object disagree: what `npm run db:verify` compares before a
 * deploy. They are raised while the server binds the call, before the object's own code runs, so they never
 * come from the data a user sent.
 */
const CONTRACT_DEFECT_ERRORS: ReadonlySet<number> = new Set([
  2812, // could not find stored procedure: missing, renamed, or another schema
  2809, // the name is not a procedure's (a function, a table): executed as a procedure
  215, // parameters supplied to an object that is not a function: called as a function
  208, // invalid object name: a table-valued function missing
  4121, // cannot find the column or user-defined function: a scalar function missing
  201, // the procedure expects a parameter that was not supplied: a parameter added or renamed
  8145, // a parameter that is not the procedure's: a parameter renamed or removed
  8144, // too many arguments for the procedure
  8146, // the procedure has no parameters and arguments were supplied
  313, // too few arguments for a function
  8162, // a declared OUTPUT parameter that the object does not declare OUTPUT
  206, // operand type clash: a declared type the object's parameter cannot take
  207, // invalid column name: a declared result column the table-valued function does not have
  229, 230 // permission denied on the object or a column: the login lacks EXECUTE or SELECT
])

/** The number SQL Server gave the error, when it is an error the server sent (and not a client-side one). */
export function sqlErrorNumber (error: unknown): number | undefined {
  const number = (error as { number?: unknown } | undefined)?.number
  return typeof number === 'number' ? number : undefined
}

/** mssql reports the last error of a call and keeps the earlier ones in `precedingErrors`: in the order the server sent them. */
function errorNumbers (error: unknown): number[] {
  const preceding = (error as { precedingErrors?: unknown } | undefined)?.precedingErrors
  const errors = [...(Array.isArray(preceding) ? preceding : []), error]
  return errors.map(sqlErrorNumber).filter((number) => number !== undefined)
}

/** The first error numbered 50000 or more the object raised (also when later errors follow it, as 266 follows a THROW in a transaction). */
export function raisedErrorOf (error: unknown): number | undefined {
  return errorNumbers(error).find((number) => number >= FIRST_USER_ERROR_NUMBER)
}

/**
 * What of a driver error may be kept as a cause: its kind and the server's numbers, never its text or its
 * stack, which may quote a parameter (conversion, truncation and constraint errors quote the value they failed
 * on, whole or truncated, and an object may put anything in its messages).
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
  if (number === undefined) return `request to SQL Server failed (${typeof code === 'string' ? code : String(name)})`
  if (TRANSIENT_SQL_ERRORS.has(number)) return `SQL Server error ${number} (transient)`
  if (CONTRACT_DEFECT_ERRORS.has(number)) {
    return `SQL Server error ${number}: the database object does not match its declared contract (missing, renamed, other parameters, types or columns, or no permission); run \`npm run db:verify\` against this database. Retried until the DLQ alarm fires`
  }
  return `SQL Server error ${number}, not an answer the contract maps: a deployment or database defect, retried until the DLQ alarm fires`
}

/**
 * The TransientError for a failed contract call, which carried a user's parameters: it names the call from
 * its declaration, and keeps only a textless summary as its cause.
 */
export function callFailure (call: string, error: unknown): TransientError {
  return new TransientError(`${call}: ${reasonOf(error)}`, { cause: textlessCause(error) })
}

/**
 * The TransientError for a failed call without user parameters (the health probe): the original error is
 * kept as `cause` only when nothing in it mentions a configured secret.
 */
export function probeFailure (what: string, error: unknown, secrets: readonly string[]): TransientError {
  const text = inspect(error, { depth: 10 })
  const mentionsSecret = secrets.some((secret) => text.includes(secret))
  return new TransientError(`${what}: ${reasonOf(error)}`, mentionsSecret ? undefined : { cause: error })
}
