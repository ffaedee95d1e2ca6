/** Listeners told that something changed; waiters re-check their condition when told. */
export class Notifier {
  private readonly listeners = new Set<() => void>()

  subscribe (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  notify (): void {
    for (const listener of [...this.listeners]) listener()
  }
}

/**
 * Resolves with `check()`'s first defined value, re-checked whenever `notifier` fires; with
 * `undefined` after `timeoutMs` or when `signal` aborts. Leaves no timer or listener behind.
 */
export async function waitFor<T> (notifier: Notifier, check: () => T | undefined, timeoutMs: number, signal?: AbortSignal): Promise<T | undefined> {
  const now = check()
  if (now !== undefined || timeoutMs <= 0 || signal?.aborted === true) return now
  return await new Promise<T | undefined>((resolve) => {
    const finish = (value: T | undefined): void => {
      clearTimeout(timer)
      unsubscribe()
      signal?.removeEventListener('abort', onAbort)
      resolve(value)
    }
    const onAbort = (): void => { finish(undefined) }
    const timer = setTimeout(onAbort, timeoutMs)
    const unsubscribe = notifier.subscribe(() => {
      const value = check()
      if (value !== undefined) finish(value)
    })
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
