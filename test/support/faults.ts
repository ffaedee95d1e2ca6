import { connect, createServer, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Context, SQSRecord } from 'aws-lambda'
import type { FastifyInstance } from 'fastify'
import { registerContract, type RegistrationRequest } from '../../src/commands/register.js'
import type { Database } from '../../src/db/database.js'
import { deadlineSignal } from '../../src/deadline.js'
import { lambdaContext, type BatchHandler } from '../../src/local/queue-poller.js'

/**
 * Fault injectors for the reliability suite: a database that fails for a while, a TCP proxy that
 * takes a dependency away (or loses its answers), and Lambda invocations that die.
 */

/** One call of the registration store, as the fault wrapper saw it. */
export interface StoreCall {
  telegramUserId: number
  username: string
  /** The n-th call for this Telegram user (1-based). */
  nth: number
  failed: boolean
}

export interface StoreFaults {
  readonly calls: StoreCall[]
  /** Calls made for one Telegram user. */
  callsFor: (telegramUserId: number) => StoreCall[]
  /** Ends the fault: every later call goes to the real store. */
  heal: () => void
}

/**
 * Replaces the database's /register calls (the port is a plain object): `replacement` gets the request and
 * the real call, to run or not; every other contract goes to the real database.
 */
export function replaceRegisterCall (app: FastifyInstance, replacement: (request: RegistrationRequest, real: () => Promise<unknown>) => Promise<unknown>): void {
  const database = app.database
  const call = database.call.bind(database)
  database.call = (async (contract, input) => contract.name === registerContract.name
    ? await replacement(input as RegistrationRequest, async () => await call(contract, input))
    : await call(contract, input)) as Database['call']
}

/**
 * Wraps the database's /register calls: `fault` decides, per call, whether it fails (returning the error to
 * throw) and when (before the real database ran: it was unreachable; or after it: the procedure committed
 * but the answer was lost, a timeout).
 */
export function injectStoreFaults (
  app: FastifyInstance,
  fault: (request: RegistrationRequest, nth: number) => { error: Error, after?: boolean } | undefined
): StoreFaults {
  const calls: StoreCall[] = []
  const counts = new Map<number, number>()
  let healed = false
  replaceRegisterCall(app, async (request, real) => {
    const nth = (counts.get(request.telegramUserId) ?? 0) + 1
    counts.set(request.telegramUserId, nth)
    const planned = healed ? undefined : fault(request, nth)
    calls.push({ telegramUserId: request.telegramUserId, username: request.username, nth, failed: planned !== undefined })
    if (planned === undefined) return await real()
    if (planned.after === true) await real()
    throw planned.error
  })
  return {
    calls,
    callsFor: (telegramUserId) => calls.filter((call) => call.telegramUserId === telegramUserId),
    heal: () => { healed = true }
  }
}

/** Runs `hook` each time the database has answered a /register call, before its caller (the ledger's procedure step) sees the answer. */
export function onStoreAnswered (app: FastifyInstance, hook: () => void): void {
  replaceRegisterCall(app, async (_request, real) => {
    const outcome = await real()
    hook()
    return outcome
  })
}

/**
 * Makes every /register call take `ms` longer (a slow database). Like the SQL Server adapter's
 * request, the wait is cancelled when the update's deadline passes, and then nothing is committed.
 */
export function slowStore (app: FastifyInstance, ms: number): void {
  replaceRegisterCall(app, async (_request, real) => {
    await sleep(ms, undefined, { signal: deadlineSignal() })
    return await real()
  })
}

/**
 * - `up`: bytes flow both ways.
 * - `refuse`: every connection is reset at once (the dependency is down).
 * - `drop-response`: the request reaches the dependency, its answer is lost (the connection dies
 *   as the answer comes back): the side effect happened, the caller cannot know.
 * - `hang`: connections are accepted and never answered (a dependency that stopped responding).
 */
export type ProxyMode = 'up' | 'refuse' | 'drop-response' | 'hang'

export interface TcpProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly mode: ProxyMode
  /** Connections handled in each mode so far. */
  readonly connections: Record<ProxyMode, number>
  /** Answers the proxy lost in `drop-response` mode (the request had reached the dependency). */
  readonly dropped: number
  /** Switches mode; connections already open are cut, so no kept-alive socket outlives the switch. */
  setMode: (mode: ProxyMode) => void
  close: () => Promise<void>
}

/**
 * A loopback TCP proxy in front of `target` (an http URL), starting in `mode`. With `afterFirstDrop`,
 * the proxy itself switches to that mode at the moment it loses its first answer, so the caller's
 * retry meets the new mode whatever the scheduler does (a test switching it from outside, once it
 * saw the drop, races the retry).
 */
export async function startTcpProxy (target: string, mode: ProxyMode = 'up', { afterFirstDrop }: { afterFirstDrop?: ProxyMode } = {}): Promise<TcpProxy> {
  const { hostname, port } = new URL(target)
  const open = new Set<Socket>()
  const connections: Record<ProxyMode, number> = { up: 0, refuse: 0, 'drop-response': 0, hang: 0 }
  let current = mode
  let dropped = 0
  const setMode = (next: ProxyMode): void => {
    current = next
    for (const socket of open) socket.destroy()
  }
  const track = (socket: Socket): void => {
    open.add(socket)
    socket.on('close', () => { open.delete(socket) })
    socket.on('error', () => {})
  }
  const server = createServer((client) => {
    track(client)
    connections[current]++
    if (current === 'refuse') {
      client.resetAndDestroy()
      return
    }
    if (current === 'hang') {
      client.resume()
      return
    }
    const upstream = connect(Number(port), hostname)
    track(upstream)
    const both = (): void => { client.destroy(); upstream.destroy() }
    client.on('close', both)
    upstream.on('close', both)
    client.pipe(upstream)
    if (current === 'drop-response') {
      upstream.once('data', () => {
        both()
        dropped++
        if (dropped === 1 && afterFirstDrop !== undefined) setMode(afterFirstDrop)
      })
    } else upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${address.port}`,
    get mode () { return current },
    connections,
    get dropped () { return dropped },
    setMode,
    async close () {
      for (const socket of open) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

/**
 * A Lambda invocation that dies after running the first `processed` records of its batch through
 * the real handler: it never returns, so the event source deletes nothing and every record of the
 * batch (the processed ones too) comes back after the visibility timeout. Only the first
 * `crashes` invocations die; later ones are the plain handler.
 */
export function crashingInvocations (handler: BatchHandler, processed: number, crashes = 1): BatchHandler & { crashed: number, processedBeforeCrash: SQSRecord[] } {
  const wrapped = Object.assign(async (event: Parameters<BatchHandler>[0], context: Context) => {
    if (wrapped.crashed >= crashes) return await handler(event, context)
    wrapped.crashed++
    const before = event.Records.slice(0, processed)
    await handler({ Records: before }, context)
    wrapped.processedBeforeCrash.push(...before)
    throw new Error(`simulated crash after ${before.length} of ${event.Records.length} records`)
  }, { crashed: 0, processedBeforeCrash: [] as SQSRecord[] })
  return wrapped
}

/**
 * A Lambda with a timeout, on a fast clock: the invocation is killed (its result thrown away, so the
 * event source deletes nothing) after `timeoutMs` of real time, and the handler's context reports
 * remaining time `scale` times larger, so that a 60 s function can be played in 60 / scale seconds.
 * Work started before the kill still finishes in this process (as SQL Server would finish a
 * procedure whose caller died), which is the harm the per-record budget exists to avoid.
 */
export function timedInvocations (handler: BatchHandler, { timeoutMs, scale }: { timeoutMs: number, scale: number }): BatchHandler & { killed: number } {
  const wrapped = Object.assign(async (event: Parameters<BatchHandler>[0]) => {
    const started = Date.now()
    const context = {
      ...lambdaContext('worker', timeoutMs),
      getRemainingTimeInMillis: () => Math.max(0, (started + timeoutMs - Date.now()) * scale)
    }
    let timer: NodeJS.Timeout | undefined
    const killed = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        wrapped.killed++
        reject(new Error(`Task timed out after ${timeoutMs * scale} ms (simulated)`))
      }, timeoutMs)
    })
    try {
      return await Promise.race([handler(event, context), killed])
    } finally {
      clearTimeout(timer)
    }
  }, { killed: 0 })
  return wrapped
}
