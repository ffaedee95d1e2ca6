import type { ConnectionPool, Request } from 'mssql'
import { RECORD_BUDGET } from '../../infra/settings.js'
import { callSignal, requireTimeLeft } from '../deadline.js'
import type { ColumnDeclaration, DatabaseAnswer, DatabaseContract, Row, SqlValue } from './contract.js'
import { outcomeOf, parameterValuesOf, type Database, type ParameterValues } from './database.js'
import { callBoundOf, poolConfigOf } from './mssql-connection.js'
import { callFailure, probeFailure, raisedErrorOf, sqlErrorNumber } from './mssql-errors.js'
import { driverTypeOf, portValueOf } from './mssql-values.js'
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

/** The declared columns of each row, converted as the port gives values; undeclared columns are not passed on. */
function rowsOf (contract: AnyContract, records: ReadonlyArray<Record<string, unknown>>, columns: readonly ColumnDeclaration[]): Row[] {
  return records.map((record) => Object.fromEntries(columns.map((column) => [column.name, portValueOf(column.type, record[column.name], contract.name, column.name)])))
}

/**
 * An OUTPUT parameter's value: tedious keys it by the name in the server's RETURNVALUE token, which need not
 * be spelled as the contract declares it (T-SQL parameter names are case-insensitive, and db:verify
 * compares them so): read in any case, never taken for a NULL.
 */
function returned (output: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(output).find((candidate) => candidate.toLowerCase() === name.toLowerCase())
  return key === undefined ? undefined : output[key]
}

/** What the object answered, in the contract's terms. */
function answerOf (contract: AnyContract, result: DriverResult): DatabaseAnswer {
  const first = result.recordsets[0] ?? []
  switch (contract.kind) {
    case 'procedure': {
      const output: Record<string, SqlValue> = {}
      for (const parameter of contract.parameters.filter((declared) => declared.output === true)) {
        output[parameter.name] = portValueOf(parameter.type, returned(result.output, parameter.name), contract.name, `@${parameter.name}`)
      }
      return { returnValue: result.returnValue, output, rows: rowsOf(contract, first, contract.resultColumns ?? []) }
    }
    case 'scalar-function':
      return { output: {}, rows: [], value: portValueOf(contract.returns, first[0]?.value, contract.name, 'its value') }
    case 'table-function':
      return { output: {}, rows: rowsOf(contract, first, contract.resultColumns) }
  }
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
      }).then((result) => ({ result }), (error: unknown) => {
        // An error the object raised on purpose is its answer; everything else is not (a failure, or a defect).
        const raisedError = raisedErrorOf(error)
        if (raisedError === undefined) throw callFailure(contract.name, error)
        return { raisedError }
      })
      return outcomeOf(contract, () => 'result' in answer ? answerOf(declared, answer.result) : { output: {}, rows: [], raisedError: answer.raisedError })
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
