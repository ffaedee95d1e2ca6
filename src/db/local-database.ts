import type Sqlite from 'better-sqlite3'
import type { Config } from '../config.js'
import type { ParameterValues } from './database.js'
import type { ObjectAnswer } from './declared-answer.js'

/**
 * A command's stand-in for its database objects in the embedded SQLite database (`npm start`, the tests):
 * its module sits beside the command (`src/commands/register.local.ts`) and is loaded only when the database
 * is SQLite, so Lambda never evaluates it.
 */
export interface LocalDatabase {
  /** The tables the implementations use, created at open when missing (`CREATE TABLE IF NOT EXISTS …`). */
  schema: string
  /** Demo data from the configuration (DEV_ACCOUNTS), written at open. */
  seed?: (database: Sqlite.Database, settings: Config['database']) => void
  /**
   * One implementation per contract, keyed by the contract's name: given the parameters by declared name
   * (already checked against their types), it answers as the real object would (return value, OUTPUT
   * parameters, rows, a raised error number ≥ 50000), in SQLite's own values: the port reads them as it
   * reads SQL Server's (src/db/declared-answer.ts: decimal text or numbers at the declared scale, integers
   * 0/1 as bits, ISO text as datetimes, only the declared columns), so a command sees the same either way.
   */
  implementations: Readonly<Record<string, (database: Sqlite.Database, parameters: ParameterValues) => ObjectAnswer>>
}
