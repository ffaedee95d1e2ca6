import { createServer } from 'node:net'

/** Polls `condition` until it holds; rejects naming `what` after `timeoutMs`. */
export async function until (condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/**
 * Waits for an event (`promise`) with a bound, so an event that never comes fails the test naming
 * `what` instead of running out the file's budget. The bound is generous: under load an event is late,
 * never early, and this is not a measure of speed.
 */
export async function within<T> (promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`timed out waiting for ${what}`)) }, timeoutMs)
  })
  try {
    return await Promise.race([promise, expired])
  } finally {
    clearTimeout(timer)
  }
}

/** A loopback port that refuses connections: bound once, then closed. */
export async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve, reject) => server.close((error) => { if (error) reject(error); else resolve() }))
  return port
}
