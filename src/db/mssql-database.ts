import type { ConnectionPool, Request } from 'mssql'
import { RECORD_BUDGET } from '../../infra/settings.js'
import { callSignal, requireTimeLeft } from '../deadline.js'
import type { DatabaseContract } from './contract.js'
import { parameterValuesOf, type Database, type ParameterValues } from './database.js'
import { outcomeOf, type ObjectAnswer } from './declared-answer.js'
import { callBoundOf, poolConfigOf } from './mssql-connection.js'
import { callFailure, probeFailure, raisedErrorOf, sqlErrorNumber } from './mssql-errors.js'
import { driverTypeOf } from './mssql-values.js'
import { ProbeReusingPool } from './probe-reusing-pool.js'

type AnyContract = DatabaseContract<never, unknown>

/** What mssql resolves a request to (recordsets as arrays: no `arrayRowMode`), in the parts read here. */
interface DriverResult {
  recordsets: ReadonlyArray<ReadonlyArray<Record<string, unknown>>>
  output: Record<string, unknown>
  returnValue?: number
}

/** A new request with the contract's parameters, typed as declared (OUTPUT ones as outputs). */
function requestFor (pool: ConnectionPool, contract: AnyContract, values: ParameterValues): Request {
  const request = pool.request()
  for (const parameter of contract.parameters) {
    const value = values[parameter.name] ?? null
    if (parameter.output === true) request.output(parameter.name, driverTypeOf(parameter.type), value)
    else request.input(parameter.name, driverTypeOf(parameter.type), value)
  }
  return request
}

/** `@A, @B`: the arguments of a function call, in declared order (names checked as plain identifiers). */
const argumentsOf = (contract: AnyContract): string => contract.parameters.map((parameter) => `@${parameter.name}`).join(', ')

/** Runs the contract's object: a procedure as an RPC, a function through a parameterised query (sp_executesql). */
async function run (request: Request, contract: AnyContract): Promise<DriverResult> {
  switch (contract.kind) {
    case 'procedure': return await request.execute(contract.name) as unknown as DriverResult
    case 'scalar-function': return await request.query(`SELECT ${contract.name}(${argumentsOf(contract)}) AS [value]`) as unknown as DriverResult
    case 'table-function': {
      const columns = contract.resultColumns.map((column) => `[${column.name}]`).join(', ')
      return await request.query(`SELECT ${columns} FROM ${contract.name}(${argumentsOf(contract)})`) as unknown as DriverResult
    }
  }
}

/** What the object answered, as tedious read it: the first result set, the OUTPUT parameters, the return value. */
function objectAnswerOf (result: DriverResult): ObjectAnswer {
  const first = result.recordsets[0] ?? []
  return { returnValue: result.returnValue, output: result.output, rows: first, value: first[0]?.value }
}

/** Runs one request, cancelled on the server (tedious sends an ATTENTION) when `signal` aborts. */
async function cancellable<T> (request: Request, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  signal.throwIfAborted()
  const cancel = (): void => { request.cancel() }
  signal.addEventListener('abort', cancel, { once: true })
  try {
    return await work()
  } finally {
    signal.removeEventListener('abort', cancel)
  }
}

/**
 * The SQL Server adapter of the database port. The pool is opened on the first call, so a cold start that
 * never reaches the database pays nothing, and discarded on a failure that is not an answer from the server
 * (connection refused or lost, timeout), so that the next call connects afresh.
 */
export async function createMssqlDatabase (connectionString: string): Promise<Database> {
  const config = poolConfigOf(connectionString)
  const secrets = [connectionString, config.password ?? ''].filter((secret) => secret !== '')
  // The longest one call can take under the bounds of src/db/mssql-connection.ts; a call is only started
  // inside an update's deadline that covers it and the reply after it.
  const callBoundMs = callBoundOf(config)
  let current: Promise<ConnectionPool> | undefined

  const retire = (pool: Promise<ConnectionPool>): void => {
    if (current !== pool) return
    current = undefined
    // A pool that broke has nothing to report when it closes.
    pool.then(async (connected) => { await connected.close() }).catch(() => {})
  }

  const openPool = (): Promise<ConnectionPool> => {
    const pool = new ProbeReusingPool(config)
    // The pool also emits what fails a call (a connection it cannot make for it) as an 'error' event, which
    // would crash the process without a listener; the call fails with the same error and retires the pool.
    pool.on('error', () => {})
    return pool.connect()
  }

  const withPool = async <T>(use: (pool: ConnectionPool) => Promise<T>): Promise<T> => {
    const pool = current ??= openPool()
    try {
      return await use(await pool)
    } catch (error) {
      if (sqlErrorNumber(error) === undefined) retire(pool)
      throw error
    }
  }

  return {
    async call (contract, input) {
      const declared = contract as unknown as AnyContract
      const values = parameterValuesOf(contract, input)
      requireTimeLeft(callBoundMs + RECORD_BUDGET.replyReserveMs, contract.name)
      // Cancelled at the update's deadline: the record then fails with an unknown outcome (retried).
      const signal = callSignal(callBoundMs)
      const answer = await withPool(async (pool) => {
        const request = requestFor(pool, declared, values)
        return await cancellable(request, signal, () => run(request, declared))
      }).then(objectAnswerOf, (error: unknown): ObjectAnswer => {
        // An error the object raised on purpose is its answer; everything else is not (a failure, or a defect).
        const raisedError = raisedErrorOf(error)
        if (raisedError === undefined) throw callFailure(contract.name, error)
        return { raisedError }
      })
      return outcomeOf(contract, answer)
    },

    // Connecting is bounded by the connection timeout rather than by the signal (mssql cannot abandon a
    // connect); the query itself is cancelled when the signal aborts.
    async check (signal) {
      try {
        signal.throwIfAborted()
        await withPool(async (pool) => {
          const request = pool.request()
          await cancellable(request, signal, () => request.batch('SELECT 1')) // a plain SQL batch: query() would wrap it in sp_executesql
        })
      } catch (error) {
        throw probeFailure('SELECT 1', error, secrets)
      }
    },

    async close () {
      const pool = current
      current = undefined
      // A pool still connecting cannot be closed: wait for the attempt to end; a failed one has nothing open.
      const connected = await pool?.catch(() => undefined)
      await connected?.close()
    }
  }
}
