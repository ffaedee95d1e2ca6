import type { Config } from '../config.js'
import type { Database } from './database.js'
import type { LocalDatabase } from './local-database.js'

/**
 * Opens the adapter the connection string names. Each adapter is loaded only when chosen, and the commands'
 * local implementations (`locals`, their loaders) only for SQLite, so Lambda never loads SQLite code.
 */
export async function openDatabase (settings: Config['database'], locals: ReadonlyArray<() => Promise<LocalDatabase>>): Promise<Database> {
  const { connectionString } = settings
  if (connectionString.startsWith('sqlite:')) {
    const { openSqliteDatabase } = await import('./sqlite-database.js')
    return openSqliteDatabase(connectionString.slice('sqlite:'.length), settings, await Promise.all(locals.map(async (load) => await load())))
  }
  const { createMssqlDatabase } = await import('./mssql-database.js')
  return await createMssqlDatabase(connectionString)
}
