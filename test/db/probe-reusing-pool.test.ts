import mssql from 'mssql'
import t, { type Test } from 'tap'
import { ProbeReusingPool } from '../../src/db/probe-reusing-pool.js'
import { TdsResponder } from '../support/tds-responder.js'
import { recordMssqlConnections } from '../support/mssql.js'
import { within } from '../support/wait.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

// As src/db/mssql-connection.ts configures it: the responder answers SQL batches, not mssql's default `SELECT 1` check.
const SOCKET_CHECKED = { validateConnection: 'socket' as const, connectionTimeout: 2000, requestTimeout: 2000 }

async function responderFor (t: Test): Promise<{ responder: TdsResponder, pool: () => ProbeReusingPool }> {
  const responder = await TdsResponder.start()
  t.teardown(async () => { await responder.close() })
  const pool = (): ProbeReusingPool => {
    const opened = new ProbeReusingPool({ ...mssql.ConnectionPool.parseConnectionString(responder.connectionString()), ...SOCKET_CHECKED })
    opened.on('error', () => {})
    return opened
  }
  return { responder, pool }
}

t.test('mssql\'s probe connection serves the first request: one login where mssql alone makes two', async (t) => {
  const { responder, pool } = await responderFor(t)
  const plain = new mssql.ConnectionPool({ ...mssql.ConnectionPool.parseConnectionString(responder.connectionString()), ...SOCKET_CHECKED })
  await plain.connect()
  await plain.request().batch('SELECT 1')
  t.equal(responder.logins.length, 2, 'mssql\'s own pool: the probe, then the pooled connection')
  await plain.close()

  const reusing = pool()
  await reusing.connect()
  await reusing.request().batch('SELECT 1')
  await reusing.request().batch('SELECT 1')
  t.equal(responder.logins.length - 2, 1, 'this pool: one login, kept for the next requests')
  t.equal(responder.openConnections, 1)
  await reusing.close()
  await within(responder.connectionsClosed(), 'the responder to see the pool\'s connections close')
  t.equal(responder.openConnections, 0, 'closed with the pool')
})

t.test('a probe that broke before the first request is replaced by a new connection', async (t) => {
  const { responder, pool } = await responderFor(t)
  const connections = recordMssqlConnections(t)
  const reusing = pool()
  await reusing.connect()
  await responder.dropConnections()
  await within(connections.clientSawAllEnd(), 'the pool to see its probe dropped')
  await reusing.request().batch('SELECT 1')
  t.equal(responder.logins.length, 2, 'the probe, then a new connection for the request')
  await reusing.close()
})

t.test('a probe never used is closed with the pool', async (t) => {
  const { responder, pool } = await responderFor(t)
  const reusing = pool()
  await reusing.connect()
  t.equal(responder.openConnections, 1, 'the probe is kept open')
  await reusing.close()
  await within(responder.connectionsClosed(), 'the responder to see the pool\'s connections close')
  t.equal(responder.openConnections, 0, 'and closed with the pool')
  t.equal(responder.logins.length, 1)
})

t.test('an mssql whose pool lacks the methods this builds on fails at once, naming the file to update', async (t) => {
  const original = Object.getOwnPropertyDescriptor(mssql.ConnectionPool.prototype, '_poolCreate')
  t.ok(original, 'mssql 12 has _poolCreate')
  delete (mssql.ConnectionPool.prototype as unknown as Record<string, unknown>)._poolCreate
  t.teardown(() => { Object.defineProperty(mssql.ConnectionPool.prototype, '_poolCreate', original as PropertyDescriptor) })
  t.throws(() => new ProbeReusingPool({ server: '127.0.0.1' }), /src\/db\/probe-reusing-pool\.ts must follow the installed mssql/)
})
