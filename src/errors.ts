/**
 * A failure that may heal by itself (a database timeout, a deadlock, Telegram busy): the worker
 * fails the record so that SQS delivers it again, and after the last receive the DLQ takes it.
 */
export class TransientError extends Error {
  override name = 'TransientError'
}
