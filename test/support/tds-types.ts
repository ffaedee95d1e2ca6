import type { ColumnDeclaration, SqlType } from '../../src/db/contract.js'

/**
 * The TDS data types the responder reads from a client and writes back (MS-TDS 2.2.5.4, TYPE_INFO; 2.2.5.2.3,
 * TYPE_VARBYTE): the variable-length ("N") forms, which are the ones tedious sends and SQL Server answers with.
 * One small reader and writer per type; section numbers are those of the MS-TDS specification.
 */
export type TdsType =
  /** int (length 4) and bigint (length 8). */
  | { type: 'INTN', length: 4 | 8 }
  | { type: 'BITN', length: 1 }
  /** The declared maximum in characters, or 'max' (then values travel as PLP, 2.2.5.2.3). */
  | { type: 'NVARCHAR', length: number | 'max' }
  /** tedious sends mssql's Decimal as DECIMALN and Numeric as NUMERICN; length is the value's bytes (5, 9, 13, 17). */
  | { type: 'DECIMALN' | 'NUMERICN', length: number, precision: number, scale: number }
  | { type: 'DATETIME2N', scale: number }

/**
 * A value on the wire. Read from a client: INTN 4 → number, INTN 8 → bigint, BITN → boolean, NVARCHAR → string,
 * DECIMALN/NUMERICN → the exact decimal text at the declared scale ('12.50'), DATETIME2N → Date (UTC, to the
 * millisecond), NULL → null. Written to a client, each type also takes: INTN a number, bigint or digit string,
 * DECIMALN a decimal string (exact) or number, DATETIME2N a Date.
 */
export type TdsValue = bigint | number | string | boolean | Date | null

/**
 * Rows of one result set, with its columns declared as a contract declares them (`{ name, type: sql.int(),
 * nullable }`); each row gives every column a value (null for NULL), by name.
 */
export interface ResultSet { columns: readonly ColumnDeclaration[], rows: ReadonlyArray<Readonly<Record<string, TdsValue>>> }

/**
 * A successful answer to a call (a procedure, or a query through sp_executesql): `resultSets` in order, then
 * `returnStatus` (RETURNSTATUS, 0 if not given), then the OUTPUT parameters, each with the type the client sent
 * it as and the value in `output` (by name, without `@`), or else the value it came with, as SQL Server does
 * when the procedure leaves it alone.
 */
export interface Answer {
  returnStatus?: number
  resultSets?: readonly ResultSet[]
  output?: Readonly<Record<string, TdsValue>>
}

/**
 * A parameter as the client sent it: its TDS type (a bigint is INTN of length 8; NVARCHAR's length is in
 * characters) and value (see TdsValue), and `output: true` for an OUTPUT parameter (StatusFlags fByRefValue).
 */
export type RpcParameter = TdsType & { name: string, value: TdsValue, output?: true }

/**
 * A call: a procedure by name, or `sp_executesql` (which mssql's `request.query` sends, by procedure id) with
 * the `statement` it runs and its own parameters (its @statement and @params are not listed).
 */
export interface RpcCall { procedure: string, statement?: string, parameters: RpcParameter[] }

const TYPE_ID = { INTN: 0x26, BITN: 0x68, NVARCHAR: 0xE7, DECIMALN: 0x6A, NUMERICN: 0x6C, DATETIME2N: 0x2A } as const
/** SQL_Latin1_General_CP1_CI_AS (2.2.5.1.2, COLLATION: LCID 0x0409, flags, SortId 52), for the columns written. */
const COLLATION = Buffer.from([0x09, 0x04, 0xD0, 0x00, 0x34])
const USHORT_MAX = 0xFFFF
/** PLP_NULL (2.2.5.2.3): a ULONGLONG of all ones. */
const PLP_NULL = 0xFFFFFFFFFFFFFFFFn
/** Days from 0001-01-01, where DATETIME2's date counts from, to 1970-01-01 (2.2.5.5.1.8). */
const DAYS_BEFORE_1970 = 719_162
const DAY_MS = 86_400_000

/** The TDS type a contract's SQL type travels as. */
export function tdsTypeOf (type: SqlType): TdsType {
  switch (type.name) {
    case 'int': return { type: 'INTN', length: 4 }
    case 'bigint': return { type: 'INTN', length: 8 }
    case 'bit': return { type: 'BITN', length: 1 }
    case 'nvarchar': return { type: 'NVARCHAR', length: type.length }
    case 'decimal': return { type: 'DECIMALN', length: decimalLength(type.precision), precision: type.precision, scale: type.scale }
    case 'datetime2': return { type: 'DATETIME2N', scale: type.scale }
    default: throw new Error(`tds-responder: ${type.name} is not implemented`)
  }
}

/** A decimal's value bytes, sign included, by precision (2.2.5.5.1.6). */
function decimalLength (precision: number): number {
  return precision <= 9 ? 5 : precision <= 19 ? 9 : precision <= 28 ? 13 : 17
}

/** DATETIME2's time part, in bytes, by scale (2.2.5.5.1.8). */
function timeLength (scale: number): number {
  return scale <= 2 ? 3 : scale <= 4 ? 4 : 5
}

/** TYPE_INFO (2.2.5.4): the type id, then what the type needs (length, COLLATION, precision and scale, scale). */
export function typeInfo (type: TdsType): Buffer {
  switch (type.type) {
    case 'INTN': case 'BITN': return Buffer.from([TYPE_ID[type.type], type.length])
    case 'NVARCHAR': return Buffer.concat([Buffer.from([TYPE_ID.NVARCHAR]), uShort(type.length === 'max' ? USHORT_MAX : 2 * type.length), COLLATION])
    case 'DECIMALN': case 'NUMERICN': return Buffer.from([TYPE_ID[type.type], type.length, type.precision, type.scale])
    case 'DATETIME2N': return Buffer.from([TYPE_ID.DATETIME2N, type.scale])
  }
}

/** A value as TYPE_VARBYTE (2.2.5.2.3): its length (whose size depends on the type, 0 or all ones for NULL), then its bytes. */
export function encodeValue (type: TdsType, value: TdsValue): Buffer {
  switch (type.type) {
    case 'INTN': return value === null ? Buffer.from([0]) : intN(type.length, value)
    case 'BITN': return value === null ? Buffer.from([0]) : Buffer.from([1, value === true ? 1 : 0])
    case 'NVARCHAR': return type.length === 'max' ? plpText(value) : usText(value)
    case 'DECIMALN': case 'NUMERICN': return value === null ? Buffer.from([0]) : decimalN(type.length, type.scale, value)
    case 'DATETIME2N': return value === null ? Buffer.from([0]) : datetime2N(type.scale, value)
  }
}

function uShort (value: number): Buffer {
  const buffer = Buffer.alloc(2)
  buffer.writeUInt16LE(value)
  return buffer
}

/** INTN (2.2.5.5.1.2): BYTELEN 4 or 8, then a little-endian signed integer. */
function intN (length: 4 | 8, value: TdsValue): Buffer {
  const buffer = Buffer.alloc(1 + length)
  buffer.writeUInt8(length)
  if (length === 4) buffer.writeInt32LE(Number(value), 1)
  else buffer.writeBigInt64LE(BigInt(value as bigint | number | string), 1)
  return buffer
}

/** NVARCHAR up to 4000 characters: USHORTLEN in bytes (0xFFFF: NULL), then UCS-2. */
function usText (value: TdsValue): Buffer {
  if (value === null) return uShort(USHORT_MAX)
  const text = Buffer.from(String(value), 'ucs2')
  return Buffer.concat([uShort(text.length), text])
}

/** NVARCHAR(max) as PLP (2.2.5.2.3): ULONGLONG total length (all ones: NULL), one chunk (ULONG length, bytes), a zero terminator. */
function plpText (value: TdsValue): Buffer {
  const total = Buffer.alloc(8)
  if (value === null) {
    total.writeBigUInt64LE(PLP_NULL)
    return total
  }
  const text = Buffer.from(String(value), 'ucs2')
  total.writeBigUInt64LE(BigInt(text.length))
  const chunkLength = Buffer.alloc(4)
  chunkLength.writeUInt32LE(text.length)
  return Buffer.concat([total, ...(text.length > 0 ? [chunkLength, text] : []), Buffer.alloc(4)])
}

/** `'-12.50'` at scale 2 → -1250n: exact, from the text; a number is taken by its shortest decimal text. */
function unscaledOf (value: TdsValue, scale: number): bigint {
  const text = typeof value === 'number' || typeof value === 'bigint' ? String(value) : value
  const match = typeof text === 'string' ? /^(-?)(\d+)(?:\.(\d+))?$/.exec(text) : null
  if (match === null || (match[3] ?? '').length > scale) throw new Error(`tds-responder: ${String(value)} is not a decimal of scale ${scale}`)
  const magnitude = BigInt(match[2]! + (match[3] ?? '').padEnd(scale, '0'))
  return match[1] === '-' ? -magnitude : magnitude
}

/** -1250n at scale 2 → '-12.50'. */
export function decimalText (unscaled: bigint, scale: number): string {
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, '0')
  const sign = unscaled < 0n ? '-' : ''
  return scale === 0 ? sign + digits : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`
}

/** DECIMALN (2.2.5.5.1.6): BYTELEN, a sign byte (1: positive), then the unscaled magnitude, little-endian. */
function decimalN (length: number, scale: number, value: TdsValue): Buffer {
  const unscaled = unscaledOf(value, scale)
  const buffer = Buffer.alloc(1 + length)
  buffer.writeUInt8(length)
  buffer.writeUInt8(unscaled < 0n ? 0 : 1, 1)
  let magnitude = unscaled < 0n ? -unscaled : unscaled
  for (let at = 2; at < buffer.length; at++, magnitude >>= 8n) buffer[at] = Number(magnitude & 0xFFn)
  return buffer
}

/**
 * DATETIME2N (2.2.5.5.1.8): BYTELEN, the time of day in units of 10^-scale seconds (3 to 5 bytes), then the
 * days since 0001-01-01 (3 bytes). In UTC, as mssql's default `useUTC` reads it.
 */
function datetime2N (scale: number, value: TdsValue): Buffer {
  if (!(value instanceof Date)) throw new Error(`tds-responder: a datetime2 value must be a Date, not ${String(value)}`)
  const days = Math.floor(value.getTime() / DAY_MS)
  const ticks = BigInt(Math.round((value.getTime() - days * DAY_MS) * 10 ** (scale - 3)))
  const length = timeLength(scale)
  const buffer = Buffer.alloc(1 + length + 3)
  buffer.writeUInt8(length + 3)
  buffer.writeUIntLE(Number(ticks), 1, length)
  buffer.writeUIntLE(days + DAYS_BEFORE_1970, 1 + length, 3)
  return buffer
}

/** A parameter's TYPE_INFO and value as a client sent them, and where the next parameter starts. */
export interface ReadValue { type: TdsType, value: TdsValue, next: number }

/** Reads TYPE_INFO then TYPE_VARBYTE at `at` (an RPC parameter, 2.2.6.6). */
export function readTypedValue (message: Buffer, at: number): ReadValue {
  const id = message[at]
  switch (id) {
    case TYPE_ID.INTN: return readIntN(message, at + 1)
    case TYPE_ID.BITN: return readBitN(message, at + 1)
    case TYPE_ID.NVARCHAR: return readNvarchar(message, at + 1)
    case TYPE_ID.DECIMALN: return readDecimalN(message, at + 1, 'DECIMALN')
    case TYPE_ID.NUMERICN: return readDecimalN(message, at + 1, 'NUMERICN')
    case TYPE_ID.DATETIME2N: return readDatetime2N(message, at + 1)
    default: throw new Error(`tds-responder: a parameter has a TDS type (0x${id?.toString(16)}) it does not read`)
  }
}

/** INTN: BYTELEN of the type (4 or 8), then the value's BYTELEN (0: NULL) and bytes. */
function readIntN (message: Buffer, at: number): ReadValue {
  const length = message[at] as 4 | 8
  const valueLength = message[at + 1]!
  const value = valueLength === 0 ? null : length === 8 ? message.readBigInt64LE(at + 2) : message.readInt32LE(at + 2)
  return { type: { type: 'INTN', length }, value, next: at + 2 + valueLength }
}

/** BITN: BYTELEN 1, then the value's BYTELEN (0: NULL) and one byte. */
function readBitN (message: Buffer, at: number): ReadValue {
  const valueLength = message[at + 1]!
  return { type: { type: 'BITN', length: 1 }, value: valueLength === 0 ? null : message[at + 2] !== 0, next: at + 2 + valueLength }
}

/** NVARCHARTYPE: maximum bytes (USHORT; 0xFFFF: max), COLLATION (5 bytes), then USHORTLEN and UCS-2, or PLP for max. */
function readNvarchar (message: Buffer, at: number): ReadValue {
  const maximum = message.readUInt16LE(at)
  if (maximum === USHORT_MAX) return readPlpText(message, at + 7)
  const valueLength = message.readUInt16LE(at + 7)
  const value = valueLength === USHORT_MAX ? null : message.toString('ucs2', at + 9, at + 9 + valueLength)
  return { type: { type: 'NVARCHAR', length: maximum / 2 }, value, next: at + 9 + (value === null ? 0 : valueLength) }
}

/** PLP (2.2.5.2.3): ULONGLONG total (all ones: NULL; tedious sends "unknown", 0xFFFFFFFFFFFFFFFE), chunks until a zero ULONG. */
function readPlpText (message: Buffer, at: number): ReadValue {
  const type: TdsType = { type: 'NVARCHAR', length: 'max' }
  if (message.readBigUInt64LE(at) === PLP_NULL) return { type, value: null, next: at + 8 }
  const chunks: Buffer[] = []
  let next = at + 8
  for (let length = message.readUInt32LE(next); length !== 0; length = message.readUInt32LE(next)) {
    chunks.push(message.subarray(next + 4, next + 4 + length))
    next += 4 + length
  }
  return { type, value: Buffer.concat(chunks).toString('ucs2'), next: next + 4 }
}

/** DECIMALN/NUMERICN: BYTELEN, precision, scale, then the value's BYTELEN (0: NULL), sign and magnitude. */
function readDecimalN (message: Buffer, at: number, type: 'DECIMALN' | 'NUMERICN'): ReadValue {
  const [length, precision, scale, valueLength] = [message[at]!, message[at + 1]!, message[at + 2]!, message[at + 3]!]
  let value: string | null = null
  if (valueLength !== 0) {
    let magnitude = 0n
    for (let byte = at + 3 + valueLength; byte > at + 4; byte--) magnitude = (magnitude << 8n) | BigInt(message[byte]!)
    value = decimalText(message[at + 4] === 1 ? magnitude : -magnitude, scale)
  }
  return { type: { type, length, precision, scale }, value, next: at + 4 + valueLength }
}

/** DATETIME2N: scale, then the value's BYTELEN (0: NULL), time and date (read as UTC, as mssql sends it by default). */
function readDatetime2N (message: Buffer, at: number): ReadValue {
  const [scale, valueLength] = [message[at]!, message[at + 1]!]
  let value: Date | null = null
  if (valueLength !== 0) {
    const length = valueLength - 3
    const milliseconds = message.readUIntLE(at + 2, length) / 10 ** (scale - 3)
    const days = message.readUIntLE(at + 2 + length, 3) - DAYS_BEFORE_1970
    value = new Date(days * DAY_MS + Math.floor(milliseconds))
  }
  return { type: { type: 'DATETIME2N', scale }, value, next: at + 2 + valueLength }
}
