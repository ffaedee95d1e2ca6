import type { ColumnDeclaration, DatabaseAnswer, DatabaseContract, Row, SqlType, SqlValue } from './contract.js'
import { AnswerUnreadableError, EXACT_UNSCALED_BOUND } from './database.js'

/**
 * What an object answered, before it is read in the port's values: as tedious reads it (src/db/mssql-database.ts)
 * or as a local implementation gives it from SQLite (src/db/local-database.ts): decimals as numbers or text,
 * bigints and bits as numbers or BigInts, datetimes as Dates or ISO text, columns beyond the declared ones.
 */
export interface ObjectAnswer {
  /** A procedure's return value (RETURN n). */
  returnValue?: number
  /** A procedure's OUTPUT parameters, by name in any case. */
  output?: Readonly<Record<string, unknown>>
  /** A procedure's first result set, or a table-valued function's rows. */
  rows?: ReadonlyArray<Readonly<Record<string, unknown>>>
  /** A scalar function's value. */
  value?: unknown
  /** An error numbered 50000 or more that the object raised instead of answering. */
  raisedError?: number
}

/**
 * tedious reads DECIMAL/NUMERIC as `unscaled × sign / 10^scale`, a binary float. The unscaled integer is
 * exact below 2^53 and the division is correctly rounded, so the float is the nearest one to the true value;
 * below 2^52 it is nearer to it than half a unit of the last decimal place, and `toFixed(scale)` (which
 * prints the float's exact value rounded to `scale` places) gives back the exact digits. Decimal text (a
 * local implementation's) is read through the same nearest float. The port's bound, EXACT_UNSCALED_BOUND
 * (src/db/database.ts), is the lower one that sending a parameter needs: a value at or above it fails the
 * call instead (docs/database.md, "Values").
 */
const EXACT_READ_LIMIT = Number(EXACT_UNSCALED_BOUND)

function decimalOf (type: Extract<SqlType, { name: 'decimal' }>, value: unknown, call: string, name: string): string {
  const number = Number(value)
  if (!Number.isFinite(number) || Math.abs(number) * 10 ** type.scale >= EXACT_READ_LIMIT) {
    throw new AnswerUnreadableError(`${call}: ${name} holds a decimal beyond the ${EXACT_UNSCALED_BOUND} units the port reads exactly (value withheld)`)
  }
  // A value with more places than the declared scale (the object changed to decimal(19,4) after db:verify
  // passed) would be rounded by toFixed: an amount silently changed. Within the bound, a value that has at
  // most `scale` places is the float nearest to its digits, which is also what those digits read back as.
  const digits = number.toFixed(type.scale)
  if (Number(digits) !== number) {
    throw new AnswerUnreadableError(`${call}: ${name} holds a decimal with more places than the declared scale ${type.scale}, which would be rounded (value withheld); run \`npm run db:verify\` against this database`)
  }
  return digits
}

function datetimeOf (value: unknown, call: string, name: string): Date {
  const date = value instanceof Date ? value : new Date(String(value))
  if (Number.isNaN(date.getTime())) throw new AnswerUnreadableError(`${call}: ${name} holds no datetime2 the port can read (value withheld)`)
  return date
}

/**
 * A value as the port gives it to commands (src/db/contract.ts, SqlValue), whichever adapter read it:
 * decimals as exact strings at the declared scale, bigints as strings of digits, bits as booleans (SQLite
 * has 0 and 1), datetimes as Dates.
 */
function portValueOf (type: SqlType, value: unknown, call: string, name: string): SqlValue {
  if (value === null || value === undefined) return null
  switch (type.name) {
    case 'decimal': return decimalOf(type, value, call, name)
    case 'bigint': return String(value)
    case 'int': return Number(value)
    case 'bit': return typeof value === 'boolean' ? value : Number(value) !== 0
    case 'datetime2': return datetimeOf(value, call, name)
    case 'nvarchar': case 'varchar': return String(value)
  }
}

/** The declared columns of each row, in the port's values; undeclared columns are not passed on. */
function rowsOf (call: string, records: ObjectAnswer['rows'], columns: readonly ColumnDeclaration[]): Row[] {
  return (records ?? []).map((record) => Object.fromEntries(columns.map((column) => [column.name, portValueOf(column.type, record[column.name], call, column.name)])))
}

/**
 * An OUTPUT parameter's value, by its name in any case: tedious keys it by the name in the server's
 * RETURNVALUE token, which need not be spelled as the contract declares it (T-SQL parameter names are
 * case-insensitive, and db:verify compares them so), and a missing one must not read as NULL by mistake.
 */
function returned (output: ObjectAnswer['output'], name: string): unknown {
  const key = Object.keys(output ?? {}).find((candidate) => candidate.toLowerCase() === name.toLowerCase())
  return key === undefined ? undefined : output?.[key]
}

/**
 * What the object answered, in the contract's terms and the port's values, the same from every adapter:
 * its declared OUTPUT parameters, columns or value only. Throws AnswerUnreadableError (the object ran)
 * for a value the port cannot give exactly.
 */
function declaredAnswerOf (contract: DatabaseContract<never, unknown>, answer: ObjectAnswer): DatabaseAnswer {
  if (answer.raisedError !== undefined) return { output: {}, rows: [], raisedError: answer.raisedError }
  switch (contract.kind) {
    case 'procedure': {
      const output: Record<string, SqlValue> = {}
      for (const parameter of contract.parameters.filter((declared) => declared.output === true)) {
        output[parameter.name] = portValueOf(parameter.type, returned(answer.output, parameter.name), contract.name, `@${parameter.name}`)
      }
      return { returnValue: answer.returnValue, output, rows: rowsOf(contract.name, answer.rows, contract.resultColumns ?? []) }
    }
    case 'scalar-function':
      return { output: {}, rows: [], value: portValueOf(contract.returns, answer.value, contract.name, 'its value') }
    case 'table-function':
      return { output: {}, rows: rowsOf(contract.name, answer.rows, contract.resultColumns) }
  }
}

/**
 * The contract's outcome from what its object answered, for every adapter: whatever fails here fails after
 * the object ran, as an AnswerUnreadableError. A mapping's own error is named by its kind only, as its text
 * may quote a value.
 */
export function outcomeOf<Outcome> (contract: DatabaseContract<never, Outcome>, answer: ObjectAnswer): Outcome {
  try {
    return contract.outcome(declaredAnswerOf(contract, answer))
  } catch (error) {
    if (error instanceof AnswerUnreadableError) throw error
    throw new AnswerUnreadableError(`${contract.name}: its outcome mapping threw ${error instanceof Error ? error.name : typeof error} on the answer (text withheld); it must accept every answer its contract declares`)
  }
}
