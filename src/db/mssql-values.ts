import mssql, { type ISqlType } from 'mssql'
import type { SqlType, SqlValue } from './contract.js'
import { AnswerUnreadableError, EXACT_UNSCALED_BOUND } from './database.js'

/** The driver's type for a declared one: the type and size sent on the wire (RPC TYPE_INFO). */
export function driverTypeOf (type: SqlType): ISqlType {
  switch (type.name) {
    case 'bit': return mssql.Bit()
    case 'int': return mssql.Int()
    case 'bigint': return mssql.BigInt()
    case 'decimal': return mssql.Decimal(type.precision, type.scale)
    case 'nvarchar': return mssql.NVarChar(type.length === 'max' ? mssql.MAX : type.length)
    case 'varchar': return mssql.VarChar(type.length === 'max' ? mssql.MAX : type.length)
    case 'datetime2': return mssql.DateTime2(type.scale)
  }
}

/**
 * tedious reads DECIMAL/NUMERIC as `unscaled × sign / 10^scale`, a binary float. The unscaled integer is
 * exact below 2^53 and the division is correctly rounded, so the float is the nearest one to the true value;
 * below 2^52 it is nearer to it than half a unit of the last decimal place, and `toFixed(scale)` (which
 * prints the float's exact value rounded to `scale` places) gives back the exact digits. The port's bound,
 * EXACT_UNSCALED_BOUND (src/db/database.ts), is the lower one that sending a parameter needs: a value at or
 * above it fails the call instead (docs/database.md, "Values").
 */
const EXACT_READ_LIMIT = Number(EXACT_UNSCALED_BOUND)

/**
 * A value as the driver read it, as the port gives it to commands (src/db/contract.ts, SqlValue): decimals as
 * exact strings at the declared scale, bigints as strings of digits (tedious already reads them so).
 */
export function portValueOf (type: SqlType, value: unknown, call: string, name: string): SqlValue {
  if (value === null || value === undefined) return null
  if (type.name === 'decimal') {
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
  if (type.name === 'bigint') return String(value)
  return value as SqlValue
}
