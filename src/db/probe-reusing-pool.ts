import mssql, { type config as PoolConfig } from 'mssql'

/** The parts of mssql's pool (lib/base/connection-pool.js, lib/tedious/connection-pool.js) this subclass builds on. */
interface PoolInternals {
  pool: unknown
  _poolCreate: () => Promise<TediousConnection>
  _poolDestroy: (connection: TediousConnection) => Promise<void>
  _close: (callback: (error?: Error | null) => void) => void
}
interface TediousConnection { closed?: boolean, hasError?: boolean }

/**
 * mssql's `connect()` opens a connection to probe the configuration, closes it, and the first request
 * then opens another: two logins (on a real server, two TLS handshakes) in every cold start that reaches
 * the database. This pool keeps the probe and hands it to the pool as its first connection, so the first
 * call logs in once. A probe that is no longer usable by then is closed and a new connection opened, as
 * before; one still unused when the pool closes is closed with it. Everything else is mssql's own.
 */
export class ProbeReusingPool extends mssql.ConnectionPool {
  #probe: TediousConnection | undefined

  constructor (config: PoolConfig) {
    super(config)
    const internals = this as unknown as PoolInternals
    if (typeof internals._poolCreate !== 'function' || typeof internals._poolDestroy !== 'function' || typeof internals._close !== 'function') {
      throw new Error('mssql\'s ConnectionPool no longer has _poolCreate, _poolDestroy and _close: src/db/probe-reusing-pool.ts must follow the installed mssql')
    }
    const create = internals._poolCreate.bind(this)
    const destroy = internals._poolDestroy.bind(this)
    const close = internals._close.bind(this)
    internals._poolCreate = async () => {
      const probe = this.#probe
      this.#probe = undefined
      if (probe === undefined) return await create()
      if (probe.closed !== true && probe.hasError !== true) return probe
      await destroy(probe)
      return await create()
    }
    // The probe is the one connection destroyed before the pool (tarn) exists.
    internals._poolDestroy = async (connection) => {
      if (internals.pool == null && this.#probe === undefined && connection.closed !== true) {
        this.#probe = connection
        return
      }
      await destroy(connection)
    }
    internals._close = (callback) => {
      const probe = this.#probe
      this.#probe = undefined
      if (probe === undefined) return close(callback)
      destroy(probe).then(() => { close(callback) }, () => { close(callback) })
    }
  }
}
