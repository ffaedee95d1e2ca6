import mssql, { type ConnectionPool } from 'mssql'
import { CATALOG_QUERIES } from './catalog-queries.js'

/**
 * What SQL Server's catalog says about one object, read for `npm run db:verify`. Only catalog views and
 * functions are read; the object itself is never run. Every query takes the object's name as a parameter
 * (`@name`), never as text spliced into the statement.
 */

/** A type as the catalog reports it: the system type's name, max_length in bytes (-1: max), precision, scale. */
export interface CatalogType { type: string, maxLength: number, precision: number, scale: number }
export interface CatalogParameter extends CatalogType { name: string, isOutput: boolean, position: number }
export interface CatalogColumn extends CatalogType { name: string, nullable: boolean }

export interface CatalogObject {
  /** sys.objects.type: P (procedure), FN (scalar function), IF and TF (table-valued functions), … */
  type: string
  /** HAS_PERMS_BY_NAME: EXECUTE, or SELECT for a table-valued function. */
  permitted: boolean
  /** In order; a scalar function's return type is position 0, with an empty name. */
  parameters: CatalogParameter[]
}

/** A first result set, or why SQL Server cannot describe it without running the procedure (error_type_desc). */
export type CatalogColumns = { columns: CatalogColumn[] } | { unknownBecause: string }

/** OBJECT_ID accepts names of up to 776 characters (schema.object, quoted). */
const NAME_TYPE = mssql.NVarChar(776)

async function rowsOf<Row> (pool: ConnectionPool, query: string, name: string): Promise<Row[]> {
  const result = await pool.request().input('name', NAME_TYPE, name).query<Row>(query)
  return result.recordset
}

/** The object's kind, permission and parameters; undefined when the login sees no object of that name. */
export async function readCatalogObject (pool: ConnectionPool, name: string): Promise<CatalogObject | undefined> {
  const [object] = await rowsOf<{ type: string, permitted: boolean | null }>(pool, CATALOG_QUERIES.object, name)
  if (object === undefined) return undefined
  const parameters = await rowsOf<CatalogParameter>(pool, CATALOG_QUERIES.parameters, name)
  return { type: object.type, permitted: object.permitted === true, parameters }
}

/** A procedure's first result set as SQL Server describes it, or a table-valued function's columns. */
export async function readCatalogColumns (pool: ConnectionPool, name: string, of: 'procedure' | 'table-function'): Promise<CatalogColumns> {
  if (of === 'table-function') return { columns: await rowsOf<CatalogColumn>(pool, CATALOG_QUERIES.functionColumns, name) }
  const rows = await rowsOf<CatalogColumn & { unknownBecause: string | null }>(pool, CATALOG_QUERIES.procedureColumns, name)
  const unknown = rows.find((row) => row.unknownBecause !== null)
  if (unknown !== undefined) return { unknownBecause: unknown.unknownBecause! }
  return { columns: rows.map(({ unknownBecause: _, ...column }) => column) }
}

/** How T-SQL writes a catalog type: `nvarchar(100)` (max_length is in bytes, 2 per character), `decimal(18,2)`. */
export function catalogTypeText ({ type, maxLength, precision, scale }: CatalogType): string {
  const length = (bytesPerCharacter: number): string => maxLength === -1 ? 'max' : String(maxLength / bytesPerCharacter)
  switch (type) {
    case 'nvarchar': case 'nchar': return `${type}(${length(2)})`
    case 'varchar': case 'char': case 'varbinary': case 'binary': return `${type}(${length(1)})`
    case 'decimal': case 'numeric': return `${type}(${precision},${scale})`
    case 'datetime2': case 'datetimeoffset': case 'time': return `${type}(${scale})`
    default: return type
  }
}
