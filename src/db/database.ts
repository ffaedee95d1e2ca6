import { SettledFailure } from '../errors.js'
import { sqlTypeText, type DatabaseContract, type SqlType, type SqlValue } from './contract.js'

/**
 * The one port to the platform's database: it runs any declared contract (src/db/contract.ts) and gives
 * the contract's outcome. Adapters: SQL Server (src/db/mssql-database.ts) in Lambda, the embedded SQLite
 * stand-in (src/db/sqlite-database.ts) locally and in tests. A failure that may heal, and an object that
 * does not match its declaration, are thrown as TransientError; a value that cannot fit its declared
 * parameter as DatabaseContractError, before any call; an answer that cannot be read after the object
 * ran as AnswerUnreadableError.
 */
export interface Database {
  call: <Input, Outcome>(contract: DatabaseContract<Input, Outcome>, input: Input) => Promise<Outcome>
  /** Health probe: resolves when the database answers. */
  check: (signal: AbortSignal) => Promise<void>
  close: () => Promise<void>
}

/** A call the command should never have made: a value that cannot fit its parameter, an undeclared name. Never quotes the value. */
export class DatabaseContractError extends Error {
  override name = 'DatabaseContractError'
}

/**
 * The object ran (and may have written), but its answer does not read as its contract declares: a decimal
 * beyond the exact bound or with more places than declared, or an outcome mapping that throws. Running it
 * again would only repeat its effect, so it is a SettledFailure: the update ledger never runs a contract
 * that writes a second time for it. Never quotes a value.
 */
export class AnswerUnreadableError extends SettledFailure {
  override name = 'AnswerUnreadableError'
}

/** The parameters of one call, by declared name, as the adapters send them. */
export type ParameterValues = Readonly<Record<string, SqlValue>>

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 }
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n }
const DECIMAL_TEXT = /^-?(\d+)(?:\.(\d+))?$/

/**
 * Decimals cross the port exactly while their unscaled integer (the digits without the point, at the
 * declared scale) is below this, both ways. tedious sends a DECIMAL parameter as
 * `Math.round(parseFloat(text) × 10^scale)`: two roundings in binary floating point, each within half a
 * unit of the last place of a float, so the integer comes out right while those units are below 0.25,
 * that is below 2^51 (between 2^51 and 2^52, 8796 of 3 million random values came out one off). Reading
 * is exact below 2^52 (src/db/mssql-values.ts); one bound keeps a value read sendable back.
 * 2^51 = 2,251,799,813,685,248: any decimal of 15 significant digits fits.
 */
export const EXACT_UNSCALED_BOUND = 2n ** 51n

/** Whether `value` fits `type` (NULL fits any). Strings are measured in UTF-16 code units, as NVARCHAR counts them. */
function fits (type: SqlType, value: SqlValue): boolean {
  if (value === null) return true
  switch (type.name) {
    case 'bit': return typeof value === 'boolean'
    case 'int': return Number.isInteger(value) && (value as number) >= INT32.min && (value as number) <= INT32.max
    case 'bigint': {
      const integer = typeof value === 'number' ? Number.isSafeInteger(value) : typeof value === 'string' && /^-?\d{1,19}$/.test(value)
      return integer && BigInt(value as number | string) >= INT64.min && BigInt(value as number | string) <= INT64.max
    }
    case 'decimal': {
      // An exact decimal string (a number would already have gone through binary floating point).
      const digits = typeof value === 'string' ? DECIMAL_TEXT.exec(value) : null
      if (digits === null) return false
      const [whole = '', fraction = ''] = [digits[1]?.replace(/^0+(?=\d)/, ''), digits[2]]
      return fraction.length <= type.scale && (whole === '0' ? 0 : whole.length) <= type.precision - type.scale &&
        BigInt(whole + fraction.padEnd(type.scale, '0')) < EXACT_UNSCALED_BOUND
    }
    case 'nvarchar': case 'varchar':
      return typeof value === 'string' && (type.length === 'max' || value.length <= type.length)
    case 'datetime2': return value instanceof Date && !Number.isNaN(value.getTime())
  }
}

/** Identifiers go into SQL text (a function call's select list and arguments): only plain ones are declared. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
const OBJECT_NAME = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/

/**
 * The values of a contract's parameters for this input, each checked against its declaration: a value that
 * cannot fit (a string longer than its NVARCHAR, a number where a bit is declared) is refused before any
 * call, naming the contract and the parameter, never the value.
 */
export function parameterValuesOf<Input> (contract: DatabaseContract<Input, unknown>, input: Input): ParameterValues {
  if (!OBJECT_NAME.test(contract.name)) throw new DatabaseContractError(`${contract.name}: a contract names its object as schema.name, plain identifiers only`)
  const values: Record<string, SqlValue> = {}
  for (const parameter of contract.parameters) {
    if (!IDENTIFIER.test(parameter.name)) throw new DatabaseContractError(`${contract.name}: parameter names are plain identifiers, without the @`)
    const value = parameter.from(input)
    if (!fits(parameter.type, value)) {
      throw new DatabaseContractError(`${contract.name}: the value for @${parameter.name} does not fit ${sqlTypeText(parameter.type)} (value withheld); the command must refuse it before calling`)
    }
    values[parameter.name] = value
  }
  for (const column of contract.kind === 'scalar-function' ? [] : contract.resultColumns ?? []) {
    if (!IDENTIFIER.test(column.name)) throw new DatabaseContractError(`${contract.name}: column names are plain identifiers`)
  }
  return values
}
