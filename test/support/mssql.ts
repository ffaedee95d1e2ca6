import { once, type EventEmitter } from 'node:events'
import mssql from 'mssql'
import type { Test } from 'tap'
import type { Database } from '../../src/db/database.js'
import { createMssqlDatabase } from '../../src/db/mssql-database.js'
import { TdsResponder } from './tds-responder.js'

export interface MssqlOnResponder {
  responder: TdsResponder
  /** The SQL Server adapter of the database port, connected to the responder. */
  database: Database
  connectionString: string
}

/**
 * A TDS responder and the port's SQL Server adapter connected to it through the real mssql driver,
 * with `options` (`keyword=value;` pairs: the timeouts) added to the connection string; both closed
 * when the test ends.
 */
export async function mssqlOnResponder (t: Test, options: string): Promise<MssqlOnResponder> {
  const responder = await TdsResponder.start()
  const connectionString = responder.connectionString(options)
  const database = await createMssqlDatabase(connectionString)
  t.teardown(async () => {
    await database.close()
    await responder.close()
  })
  return { responder, database, connectionString }
}

interface TediousConnection extends EventEmitter { closed?: boolean }
interface PoolPrototype { _poolCreate: (this: unknown) => Promise<TediousConnection> }

/**
 * Records every connection mssql's pools open from now until the test ends (through the method the
 * pools, src/db/probe-reusing-pool.ts included, create connections with), so a test can wait until the
 * client itself has seen the server drop them: a dropped connection is only noticed once its socket's
 * close has been read, and the next request must not race that.
 */
export function recordMssqlConnections (t: Test): { clientSawAllEnd: () => Promise<void> } {
  const prototype = mssql.ConnectionPool.prototype as unknown as PoolPrototype
  const create = prototype._poolCreate
  const opened: TediousConnection[] = []
  prototype._poolCreate = async function (this: unknown) {
    const connection = await create.call(this)
    opened.push(connection)
    return connection
  }
  t.teardown(() => { prototype._poolCreate = create })
  return {
    clientSawAllEnd: async () => {
      await Promise.all(opened.filter((connection) => connection.closed !== true).map(async (connection) => { await once(connection, 'end') }))
    }
  }
}
