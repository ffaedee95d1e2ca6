import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type Sqlite from 'better-sqlite3'
import type { Config } from '../config.js'
import { DatabaseContractError, parameterValuesOf, type Database } from './database.js'
import { outcomeOf } from './declared-answer.js'
import type { LocalDatabase } from './local-database.js'
import { loadSqliteDriver } from './sqlite-driver.js'

export interface SqliteDatabase extends Database {
  /** The database itself, for the local runtime's inspection and the tests. */
  readonly database: Sqlite.Database
}

/**
 * The embedded stand-in for the platform's SQL Server: each command's local implementations (its
 * `.local.ts` beside it) run under their contracts' names, on tables their schemas create. Opens (creating
 * if needed) the database at `path` (`:memory:` for a throwaway one).
 */
export function openSqliteDatabase (path: string, settings: Config['database'], locals: readonly LocalDatabase[]): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const SqliteDatabase = loadSqliteDriver()
  const database = new SqliteDatabase(path)
  database.pragma('journal_mode = WAL')
  database.pragma('foreign_keys = ON')
  for (const local of locals) database.exec(local.schema)
  for (const local of locals) if (local.seed !== undefined) database.transaction(local.seed)(database, settings)
  const implementations = new Map(locals.flatMap((local) => Object.entries(local.implementations)))

  return {
    database,
    async call (contract, input) {
      const parameters = parameterValuesOf(contract, input)
      const implementation = implementations.get(contract.name)
      if (implementation === undefined) throw new DatabaseContractError(`${contract.name}: no local implementation; its command's .local.ts must export one under this name`)
      return outcomeOf(contract, implementation(database, parameters))
    },
    async check () { database.prepare('SELECT 1').get() },
    async close () { if (database.open) database.close() }
  }
}
