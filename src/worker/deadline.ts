import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * The time by which the update being processed must be finished, carried with the async call chain
 * so that deep code (Telegram retries) can tell whether waiting still fits.
 */
const deadlines = new AsyncLocalStorage<number>()

export function runWithDeadline<T> (deadline: number, work: () => Promise<T>): Promise<T> {
  return deadlines.run(deadline, work)
}

/** Milliseconds left for the current update; unbounded outside of `runWithDeadline`. */
export function remainingMs (): number {
  const deadline = deadlines.getStore()
  return deadline === undefined ? Number.POSITIVE_INFINITY : deadline - Date.now()
}
