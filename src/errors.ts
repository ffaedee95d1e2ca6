/**
 * A failure that may heal by itself (a database timeout, a deadlock, Telegram busy): the worker
 * fails the record so that SQS delivers it again, and after the last receive the DLQ takes it.
 */
export class TransientError extends Error {
  override name = 'TransientError'
}

/**
 * A failure that stops start-up (the local runtime, a script): one line that names the setting or the
 * command to change, never a stack trace and never a value that came from a secret.
 */
export class StartupError extends Error {
  override name = 'StartupError'
}
