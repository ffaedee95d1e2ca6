import type { ConnectionPool } from 'mssql'
import { ConfigError } from '../config.js'
import { catalogTypeText, readCatalogColumns, readCatalogObject, type CatalogColumns, type CatalogObject, type CatalogParameter, type CatalogType } from './catalog.js'
import { sqlTypeText, type ColumnDeclaration, type DatabaseContract, type SqlType } from './contract.js'
import { poolConfigOf } from './mssql-connection.js'
import { ProbeReusingPool } from './probe-reusing-pool.js'

/**
 * `npm run db:verify`: every declared contract compared with the real object's catalog entry, one line each,
 * `ok <name>` or what differs. It reads the catalog only and never runs a contract. The same code answers
 * on a laptop (scripts/db-verify.ts) and inside the deployed Worker (src/worker/handler.ts).
 */
export interface VerificationReport {
  /** False when anything differs or could not be checked. */
  ok: boolean
  lines: string[]
}

/** A contract of any command, whatever its input (a function of `never` accepts every input type) and outcome. */
type AnyContract = DatabaseContract

/** What no catalog records, said once under the report so that nobody takes `ok` for more than it checks. */
export const CATALOG_CANNOT_TELL = 'not checked, as the catalog cannot tell: what a procedure\'s return value means, and T-SQL parameter defaults'

const KINDS: Record<string, { kind: AnyContract['kind'], what: string }> = {
  P: { kind: 'procedure', what: 'a procedure' },
  PC: { kind: 'procedure', what: 'a CLR procedure' },
  FN: { kind: 'scalar-function', what: 'a scalar function' },
  FS: { kind: 'scalar-function', what: 'a CLR scalar function' },
  IF: { kind: 'table-function', what: 'an inline table-valued function' },
  TF: { kind: 'table-function', what: 'a table-valued function' },
  FT: { kind: 'table-function', what: 'a CLR table-valued function' }
}
const OTHER_OBJECTS: Record<string, string> = { U: 'a table', V: 'a view', SN: 'a synonym' }
const CONTRACT_KINDS: Record<AnyContract['kind'], string> = { procedure: 'a procedure', 'scalar-function': 'a scalar function', 'table-function': 'a table-valued function' }

/** numeric and decimal are the same type in SQL Server. */
function sameType (declared: SqlType, actual: CatalogType): boolean {
  return catalogTypeText(actual).replace(/^numeric\(/, 'decimal(') === sqlTypeText(declared)
}

const describeParameter = (parameter: CatalogParameter): string =>
  `${parameter.name} ${catalogTypeText(parameter)}${parameter.isOutput ? ' OUTPUT' : ''}`

function parameterDifferences (contract: AnyContract, object: CatalogObject): string[] {
  const actual = object.parameters.filter((parameter) => parameter.position > 0)
  const holder = contract.kind === 'procedure' ? 'the procedure' : 'the function'
  const has = actual.length === 0 ? `${holder} has no parameters` : `${holder} has ${actual.map(describeParameter).join(', ')}`
  const differences: string[] = []
  for (const declared of contract.parameters) {
    const name = `@${declared.name}`
    const real = actual.find((parameter) => parameter.name.toLowerCase() === name.toLowerCase())
    if (real === undefined) {
      differences.push(`${name}: no such parameter; ${has}`)
      continue
    }
    if (!sameType(declared.type, real)) differences.push(`${name} is ${catalogTypeText(real)}, the contract says ${sqlTypeText(declared.type)}`)
    if (real.isOutput !== (declared.output === true)) differences.push(`${name} is ${real.isOutput ? 'an OUTPUT' : 'an input'} parameter, the contract says ${declared.output === true ? 'OUTPUT' : 'input'}`)
  }
  const declaredNames = new Set(contract.parameters.map((parameter) => `@${parameter.name}`.toLowerCase()))
  for (const extra of actual.filter((parameter) => !declaredNames.has(parameter.name.toLowerCase()))) {
    differences.push(`${describeParameter(extra)} is not in the contract: the call leaves it out, which works only if it has a default, and the catalog does not record T-SQL defaults; declare it`)
  }
  return differences
}

function returnDifferences (contract: AnyContract, object: CatalogObject): string[] {
  if (contract.kind !== 'scalar-function') return []
  const returned = object.parameters.find((parameter) => parameter.position === 0)
  if (returned === undefined || sameType(contract.returns, returned)) return []
  return [`returns ${catalogTypeText(returned)}, the contract says ${sqlTypeText(contract.returns)}`]
}

function columnDifferences (declared: readonly ColumnDeclaration[], described: CatalogColumns): string[] {
  if ('unknownBecause' in described) return [`SQL Server cannot describe its first result set without running it (${described.unknownBecause}): its columns are unchecked`]
  const { columns } = described
  if (columns.length === 0) return [`returns no result set; the contract reads ${declared.map((column) => column.name).join(', ')}`]
  const has = columns.map((column) => `${column.name} ${catalogTypeText(column)}${column.nullable ? ' NULL' : ''}`).join(', ')
  return declared.flatMap((column) => {
    const real = columns.find((candidate) => candidate.name === column.name)
    if (real === undefined) {
      const otherCase = columns.find((candidate) => candidate.name.toLowerCase() === column.name.toLowerCase())
      return [otherCase === undefined ? `column ${column.name}: not in the result; it has ${has}` : `column ${column.name} is named ${otherCase.name} (rows carry the name as written)`]
    }
    const differences: string[] = []
    if (!sameType(column.type, real)) differences.push(`column ${column.name} is ${catalogTypeText(real)}, the contract says ${sqlTypeText(column.type)}`)
    if (real.nullable !== column.nullable) differences.push(`column ${column.name} ${real.nullable ? 'may be NULL, the contract says never' : 'is never NULL, the contract says it may be'}`)
    return differences
  })
}

/** What differs between a contract and its object; empty when they agree. */
export async function differencesOf (pool: ConnectionPool, contract: AnyContract): Promise<string[]> {
  const object = await readCatalogObject(pool, contract.name)
  if (object === undefined) return ['no such object (or the login may not see it: SQL Server hides what a login has no permission on)']
  const kind = KINDS[object.type]
  if (kind?.kind !== contract.kind) {
    return [`is ${kind?.what ?? OTHER_OBJECTS[object.type] ?? `an object of type ${object.type}`}, the contract says ${CONTRACT_KINDS[contract.kind]}`]
  }
  const permission = contract.kind === 'table-function' ? 'SELECT' : 'EXECUTE'
  const differences = [
    ...(object.permitted ? [] : [`the login may not ${permission} it`]),
    ...returnDifferences(contract, object),
    ...parameterDifferences(contract, object)
  ]
  if (contract.kind !== 'scalar-function' && contract.resultColumns !== undefined) {
    differences.push(...columnDifferences(contract.resultColumns, await readCatalogColumns(pool, contract.name, contract.kind)))
  }
  return differences
}

/** One line for one contract; a failed catalog query is named by its error number only (its text may quote values). */
async function lineOf (pool: ConnectionPool, contract: AnyContract): Promise<{ ok: boolean, line: string }> {
  try {
    const differences = await differencesOf(pool, contract)
    return differences.length === 0 ? { ok: true, line: `ok ${contract.name}` } : { ok: false, line: `${contract.name}: ${differences.join('; ')}` }
  } catch (error) {
    const number = (error as { number?: unknown }).number
    return { ok: false, line: `${contract.name}: the catalog could not be read (${typeof number === 'number' ? `SQL Server error ${number}` : (error as { code?: string }).code ?? 'no answer'})` }
  }
}

/** Why a connection failed, from mssql's error code only: its message could name the server or the login. */
function connectionFailure (error: unknown): string {
  switch ((error as { code?: unknown }).code) {
    case 'ELOGIN': return 'the login failed'
    case 'ETIMEOUT': return 'the server did not answer in time'
    case 'ESOCKET': return 'the server cannot be reached'
    default: return 'the connection failed'
  }
}

/** Opens a pool on the connection string, or says in one line why not (never with the value). */
async function connect (connectionString: string): Promise<ConnectionPool | string> {
  if (connectionString.startsWith('sqlite:')) return 'DATABASE_CONNECTION_STRING names the embedded SQLite database: db:verify checks contracts against SQL Server'
  let pool: ConnectionPool
  try {
    // The probe connection mssql opens on connect serves the catalog queries: one login, as in the Worker.
    pool = new ProbeReusingPool(poolConfigOf(connectionString))
  } catch (error) {
    if (error instanceof ConfigError) return error.message
    throw error
  }
  pool.on('error', () => {}) // a connection lost after the report is of no consequence
  try {
    await pool.connect()
    return pool
  } catch (error) {
    return `DATABASE_CONNECTION_STRING: ${connectionFailure(error)} (value hidden)`
  }
}

/** Compares every contract with the catalog of the database the connection string names (connecting even for none: the connection is checked too). */
export async function verifyContracts (contracts: readonly AnyContract[], connectionString: string): Promise<VerificationReport> {
  const pool = await connect(connectionString)
  if (typeof pool === 'string') return { ok: false, lines: [pool] }
  try {
    if (contracts.length === 0) return { ok: true, lines: ['connected; no command declares a database contract: nothing else to verify'] }
    const results: Array<{ ok: boolean, line: string }> = []
    for (const contract of contracts) results.push(await lineOf(pool, contract))
    return { ok: results.every((result) => result.ok), lines: [...results.map((result) => result.line), CATALOG_CANNOT_TELL] }
  } finally {
    await pool.close()
  }
}
