import mssql, { type config as PoolConfig } from 'mssql'
import { RECORD_BUDGET, WORKER } from '../../infra/settings.js'
import { ConfigError } from '../config.js'

/**
 * Bounds that keep one call inside an update's deadline (what is left of the 60 s Lambda invocation,
 * src/worker/records.ts): at worst two connection attempts of 5 s (mssql's first connect opens a probe
 * connection, which src/db/probe-reusing-pool.ts reuses unless it broke in between), a request of 8 s, and
 * 2 s for the server to acknowledge its cancellation come to 20 s; the procedure is only started when the
 * deadline leaves that plus time for the reply, and the request is cancelled if the deadline passes
 * anyway. A hung database thus fails the record, which SQS retries, instead of overrunning the update's
 * deadline or the Lambda timeout (which would put the whole batch back). `Connect Timeout` (seconds) and
 * `Request Timeout` (milliseconds, an mssql keyword) in the connection string override the first two,
 * within LONGEST_CALL_MS.
 */
const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000
const DEFAULT_REQUEST_TIMEOUT_MS = 8_000
const CANCEL_TIMEOUT_MS = 2_000

const MALFORMED = 'DATABASE_CONNECTION_STRING is malformed (value hidden): expected Server=…;… or mssql://…'

/**
 * The longest call the timeouts may make: what an update can have of the Worker's invocation, less the
 * reply's reserve. A longer bound (an Azure portal string's `Connect Timeout=30` makes it 70 s) would
 * leave every procedure "not started" for lack of time: refused at start, naming the keywords.
 */
export const LONGEST_CALL_MS = WORKER.timeoutSeconds * 1000 - RECORD_BUDGET.reportingMarginMs - RECORD_BUDGET.replyReserveMs

/** One call's bound: two connection attempts, the request, and the wait for the server to acknowledge its cancellation. */
export function callBoundOf (config: Pick<PoolConfig, 'connectionTimeout' | 'requestTimeout'>): number {
  return 2 * (config.connectionTimeout ?? 0) + (config.requestTimeout ?? 0) + CANCEL_TIMEOUT_MS
}

/** Brace quoting of a connection string value: any character may appear inside, `}` is doubled. */
const quoted = (value: string): string => `{${value.replaceAll('}', '}}')}}`

/**
 * `mssql://user:password@host:port/database?keyword=value` as the equivalent `Server=…;…` string, so that
 * both forms go through one parser. Query parameters are connection string keywords (`encrypt`,
 * `trustServerCertificate`, `connect timeout`…); the URL's own parts come last so that they win.
 */
function fromUrl (connectionUrl: string): string {
  const url = new URL(connectionUrl)
  const keywords: Array<[string, string]> = [...url.searchParams]
  keywords.push(['Server', url.port === '' ? url.hostname : `${url.hostname},${url.port}`])
  if (url.pathname.length > 1) keywords.push(['Database', decodeURIComponent(url.pathname.slice(1))])
  if (url.username !== '') keywords.push(['User Id', decodeURIComponent(url.username)])
  if (url.password !== '') keywords.push(['Password', decodeURIComponent(url.password)])
  return keywords.map(([keyword, value]) => `${keyword}=${quoted(value)}`).join(';')
}

const isPositive = (value: unknown): boolean => value === undefined || (typeof value === 'number' && value > 0)

/** Parses either form; throws a ConfigError (without the value, and without a cause that might hold it). */
export function poolConfigOf (connectionString: string): PoolConfig {
  let parsed: PoolConfig
  try {
    const adoString = /^mssql:\/\//i.test(connectionString) ? fromUrl(connectionString) : connectionString
    parsed = mssql.ConnectionPool.parseConnectionString(adoString)
  } catch {
    throw new ConfigError(MALFORMED)
  }
  const wellFormed = /^[\w.:-]+$/.test(parsed.server ?? '') &&
    Number.isInteger(parsed.port) && (parsed.port as number) > 0 && (parsed.port as number) < 65536 &&
    isPositive(parsed.connectionTimeout) && isPositive(parsed.requestTimeout)
  if (!wellFormed) throw new ConfigError(MALFORMED)
  const connectionTimeout = parsed.connectionTimeout ?? DEFAULT_CONNECTION_TIMEOUT_MS
  const requestTimeout = parsed.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS
  const callBoundMs = callBoundOf({ connectionTimeout, requestTimeout })
  if (callBoundMs > LONGEST_CALL_MS) {
    throw new ConfigError(`DATABASE_CONNECTION_STRING: Connect Timeout=${connectionTimeout / 1000} s and Request Timeout=${requestTimeout} ms make one call take up to ${callBoundMs / 1000} s (2 connects, the request, the cancel); an update has ${LONGEST_CALL_MS / 1000} s for it: lower them (defaults ${DEFAULT_CONNECTION_TIMEOUT_MS / 1000} s and ${DEFAULT_REQUEST_TIMEOUT_MS} ms)`)
  }
  return {
    ...parsed,
    connectionTimeout,
    requestTimeout,
    // tedious would retry a login failing with a transient error (Azure failover) up to 3 times, each with a
    // new connection timeout, which breaks the bound above: SQS retries the record instead.
    options: { ...parsed.options, cancelTimeout: CANCEL_TIMEOUT_MS, maxRetriesOnTransientErrors: 0 },
    // A Lambda container runs one invocation at a time and the worker handles its records one by one:
    // one connection does the work, the second covers a health probe in parallel. Waiting for a
    // connection is bounded by one connection attempt plus one request ahead of it.
    pool: { min: 0, max: 2, acquireTimeoutMillis: connectionTimeout + requestTimeout },
    // mssql's default runs `SELECT 1` before every use of a pooled connection; 'socket' checks that the
    // connection is logged in and its socket writable, without a round trip.
    validateConnection: 'socket'
  }
}
