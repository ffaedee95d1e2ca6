/**
 * A failure that may heal by itself (a database timeout, a deadlock, Telegram busy): the worker
 * fails the record so that SQS delivers it again, and after the last receive the DLQ takes it.
 */
export class TransientError extends Error {
  override name = 'TransientError'
}

/**
 * A failure that running the same step again cannot change, raised after the step had its effect (an
 * object that writes ran, but its answer does not read as declared). The update ledger remembers it as
 * the step's outcome, so a redelivery fails with it instead of running the step again. Its message is
 * stored in the ledger: it never holds a value.
 */
export class SettledFailure extends Error {
  override name = 'SettledFailure'
}

/**
 * A failure that stops start-up (the local runtime, a script): one line that names the setting or the
 * command to change, never a stack trace and never a value that came from a secret.
 */
export class StartupError extends Error {
  override name = 'StartupError'
}
