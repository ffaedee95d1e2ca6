import type { Config } from '../config.js'
import type { RegistrationStore } from './registration-store.js'

/** Opens the adapter the connection string names; each adapter is loaded only when chosen, so Lambda never loads SQLite. */
export async function openRegistrationStore (database: Config['database']): Promise<RegistrationStore> {
  const { connectionString } = database
  if (connectionString.startsWith('sqlite:')) {
    const { openSqliteStore } = await import('./sqlite-store.js')
    return openSqliteStore(connectionString.slice('sqlite:'.length), database.devAccounts)
  }
  const { createMssqlStore } = await import('./mssql-store.js')
  return createMssqlStore(connectionString)
}
