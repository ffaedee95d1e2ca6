import { Writable } from 'node:stream'

/**
 * Every log line written by any app the tests build, kept for the whole test process so that
 * a test can assert on lines and the leak scan can search them all for credentials.
 */
export const capturedLogLines: string[] = []

/** A pino destination that records lines (and still lets `LOG_TO_STDERR=1` show them while debugging). */
export function captureLogs (): Writable {
  return new Writable({
    write (chunk: Buffer, _encoding, done) {
      const text = chunk.toString('utf8')
      for (const line of text.split('\n')) if (line !== '') capturedLogLines.push(line)
      if (process.env.LOG_TO_STDERR === '1') process.stderr.write(text)
      done()
    }
  })
}

/** The parsed log lines whose `msg` equals the given message. */
export function logLinesWithMessage (message: string): Array<Record<string, unknown>> {
  return capturedLogLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === message)
}
