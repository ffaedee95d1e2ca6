import type { CatalogType } from '../../src/db/catalog.js'
import { CATALOG_QUERIES } from '../../src/db/catalog-queries.js'
import { sql, type ColumnDeclaration, type DatabaseContract, type SqlType } from '../../src/db/contract.js'
import type { Answer, RpcCall } from './tds-types.js'

/**
 * A scripted SQL Server catalog, for the TDS responder to answer db:verify's catalog queries
 * (src/db/catalog.ts) as SQL Server would: the numbers of sys.parameters and sys.columns (max_length in
 * bytes, precision, scale) are worked out here from the declared types, independently of db:verify's own
 * reading of them. A type is a contract's SqlType, or the catalog's raw numbers for any other type.
 */
export interface CatalogParameterScript { name: string, type: SqlType | CatalogType, output?: boolean }
export interface CatalogColumnScript { name: string, type: SqlType | CatalogType, nullable: boolean }

export interface CatalogEntry {
  /** sys.objects.type: P, FN, IF, TF (or U, V… for an object of the wrong kind). */
  type: string
  /** With their `@`. */
  parameters: CatalogParameterScript[]
  /** A scalar function's return type (sys.parameters' row 0). */
  returns?: SqlType | CatalogType
  /** HAS_PERMS_BY_NAME for EXECUTE (SELECT for a table-valued function). */
  canExecute: boolean
  /** A procedure's first result set (or why SQL Server cannot describe it), or a table-valued function's columns. */
  firstResultSet?: CatalogColumnScript[] | { unknownBecause: string }
}

/** By name as OBJECT_ID resolves it (case-insensitively, as under the default collation). */
export type Catalog = Record<string, CatalogEntry>

/** What sys.types, sys.parameters and sys.columns report for a declared type. */
export function catalogTypeOf (type: SqlType | CatalogType): CatalogType {
  if ('type' in type) return type
  switch (type.name) {
    case 'bit': return { type: 'bit', maxLength: 1, precision: 1, scale: 0 }
    case 'int': return { type: 'int', maxLength: 4, precision: 10, scale: 0 }
    case 'bigint': return { type: 'bigint', maxLength: 8, precision: 19, scale: 0 }
    case 'decimal': {
      const maxLength = type.precision <= 9 ? 5 : type.precision <= 19 ? 9 : type.precision <= 28 ? 13 : 17
      return { type: 'decimal', maxLength, precision: type.precision, scale: type.scale }
    }
    case 'nvarchar': return { type: 'nvarchar', maxLength: type.length === 'max' ? -1 : 2 * type.length, precision: 0, scale: 0 }
    case 'varchar': return { type: 'varchar', maxLength: type.length === 'max' ? -1 : type.length, precision: 0, scale: 0 }
    case 'datetime2': {
      const maxLength = type.scale <= 2 ? 6 : type.scale <= 4 ? 7 : 8
      return { type: 'datetime2', maxLength, precision: 19 + (type.scale > 0 ? type.scale + 1 : 0), scale: type.scale }
    }
  }
}

/** The catalog entry of an object that matches the contract exactly. */
export function catalogOf (contract: DatabaseContract): CatalogEntry {
  const type = { procedure: 'P', 'scalar-function': 'FN', 'table-function': 'IF' }[contract.kind]
  return {
    type,
    parameters: contract.parameters.map((parameter) => ({ name: `@${parameter.name}`, type: parameter.type, output: parameter.output })),
    ...(contract.kind === 'scalar-function' ? { returns: contract.returns } : { firstResultSet: contract.resultColumns?.map((column) => ({ ...column })) }),
    canExecute: true
  }
}

const NAME = sql.nvarchar(128)
const TYPE_COLUMNS: ColumnDeclaration[] = [
  { name: 'type', type: NAME, nullable: true },
  { name: 'maxLength', type: sql.int(), nullable: true },
  { name: 'precision', type: sql.int(), nullable: true },
  { name: 'scale', type: sql.int(), nullable: true }
]
const COLUMN_COLUMNS: ColumnDeclaration[] = [{ name: 'name', type: NAME, nullable: true }, ...TYPE_COLUMNS, { name: 'nullable', type: sql.bit(), nullable: true }]

function entryNamed (catalog: Catalog, name: string): CatalogEntry | undefined {
  const key = Object.keys(catalog).find((candidate) => candidate.toLowerCase() === name.toLowerCase())
  return key === undefined ? undefined : catalog[key]
}

function columnRows (entry: CatalogEntry | undefined): Array<Record<string, string | number | boolean | null>> {
  const described = entry?.firstResultSet
  if (described === undefined || !Array.isArray(described)) return []
  return described.map((column) => ({ name: column.name, ...catalogTypeOf(column.type), nullable: column.nullable }))
}

/** The answer to one of db:verify's catalog queries, or undefined for any other call. */
export function catalogAnswer (catalog: Catalog, call: RpcCall): Answer | undefined {
  const name = call.parameters.find((parameter) => parameter.name === '@name')?.value
  if (call.procedure !== 'sp_executesql' || typeof name !== 'string') return undefined
  const entry = entryNamed(catalog, name)
  switch (call.statement) {
    case CATALOG_QUERIES.object:
      return {
        resultSets: [{
          columns: [{ name: 'type', type: sql.nvarchar(2), nullable: true }, { name: 'permitted', type: sql.bit(), nullable: true }],
          rows: entry === undefined ? [] : [{ type: entry.type, permitted: entry.canExecute }]
        }]
      }
    case CATALOG_QUERIES.parameters: {
      const returned = entry?.returns === undefined ? [] : [{ name: '', ...catalogTypeOf(entry.returns), isOutput: true, position: 0 }]
      const parameters = (entry?.parameters ?? []).map((parameter, index) => ({ name: parameter.name, ...catalogTypeOf(parameter.type), isOutput: parameter.output === true, position: index + 1 }))
      return {
        resultSets: [{
          columns: [{ name: 'name', type: NAME, nullable: false }, ...TYPE_COLUMNS, { name: 'isOutput', type: sql.bit(), nullable: false }, { name: 'position', type: sql.int(), nullable: false }],
          rows: [...returned, ...parameters]
        }]
      }
    }
    case CATALOG_QUERIES.procedureColumns: {
      const described = entry?.firstResultSet
      const unknown = described !== undefined && !Array.isArray(described)
        ? [{ name: null, type: null, maxLength: null, precision: null, scale: null, nullable: null, unknownBecause: described.unknownBecause }]
        : []
      return {
        resultSets: [{
          columns: [...COLUMN_COLUMNS, { name: 'unknownBecause', type: sql.nvarchar(60), nullable: true }],
          rows: [...unknown, ...columnRows(entry).map((row) => ({ ...row, unknownBecause: null }))]
        }]
      }
    }
    case CATALOG_QUERIES.functionColumns:
      return { resultSets: [{ columns: COLUMN_COLUMNS, rows: columnRows(entry) }] }
    default:
      return undefined
  }
}
