import { AsyncLocalStorage } from 'node:async_hooks'
import { TransientError } from './errors.js'

/**
 * The time by which the update being processed must be finished, carried with the async call chain
 * so that deep code (a Bot API call, a SQL request, a ledger write) can bound itself by it and is
 * aborted when it passes.
 */
interface Deadline {
  at: number
  signal: AbortSignal
}

const deadlines = new AsyncLocalStorage<Deadline>()

export class DeadlineExceededError extends TransientError {
  override name = 'DeadlineExceededError'
}

/**
 * Runs `work` with a deadline `at` (epoch ms). When it passes, the deadline's signal aborts every call
 * that took it, and the returned promise rejects at once, even if some call ignores its signal.
 */
export async function runWithDeadline<T> (at: number, work: () => Promise<T>): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceededError('the record\'s deadline passed; its calls were aborted')
      controller.abort(error)
      reject(error)
    }, Math.max(0, at - Date.now()))
  })
  try {
    return await Promise.race([deadlines.run({ at, signal: controller.signal }, work), expired])
  } finally {
    clearTimeout(timer)
  }
}

/** Milliseconds left for the current update; unbounded outside of `runWithDeadline`. */
export function remainingMs (): number {
  const deadline = deadlines.getStore()
  return deadline === undefined ? Number.POSITIVE_INFINITY : deadline.at - Date.now()
}

/** Aborted when the current update's deadline passes; undefined outside of `runWithDeadline`. */
export function deadlineSignal (): AbortSignal | undefined {
  return deadlines.getStore()?.signal
}

/**
 * The signal for one outbound call: aborted after `timeoutMs` or at the update's deadline, whichever
 * comes first (`timeoutMs` alone outside of `runWithDeadline`).
 */
export function callSignal (timeoutMs: number): AbortSignal {
  const deadline = deadlineSignal()
  const timeout = AbortSignal.timeout(timeoutMs)
  return deadline === undefined ? timeout : AbortSignal.any([deadline, timeout])
}

/** Fails, before anything is started, when the update's deadline leaves less than `neededMs`. */
export function requireTimeLeft (neededMs: number, what: string): void {
  const left = remainingMs()
  if (left < neededMs) throw new TransientError(`not started: ${what} needs ${neededMs} ms, ${Math.max(0, Math.round(left))} ms left for this update`)
}
