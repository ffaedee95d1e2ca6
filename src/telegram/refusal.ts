import { TelegramError } from 'telegraf'
import { TransientError } from '../errors.js'

/** Telegram's 400s the bot expects in a group: it lacks the right to delete, or the message is already gone. */
const EXPECTED_BAD_REQUEST = /message can't be deleted|message to delete not found/i

/** A Bot API answer the bot expects and handles, as Telegram gave it. */
export interface TelegramRefusal {
  code: number
  description: string
  /** Seconds Telegram asked to wait (429). */
  retryAfter?: number
}

/**
 * The answer, when it is one the bot expects and handles: a 400 for a message it may not delete or
 * that is gone, a 403 (blocked by the user, removed from the chat), a 429 with `retry_after`, also as
 * the cause of the TransientError that ends the retries of a 429. Undefined for anything else.
 */
export function expectedRefusal (error: unknown): TelegramRefusal | undefined {
  const answer = error instanceof TransientError ? error.cause : error
  if (!(answer instanceof TelegramError)) return undefined
  const expected = answer.code === 403 || answer.code === 429 || (answer.code === 400 && EXPECTED_BAD_REQUEST.test(answer.description))
  if (!expected) return undefined
  const retryAfter = answer.parameters?.retry_after
  return { code: answer.code, description: answer.description, ...(retryAfter === undefined ? {} : { retryAfter }) }
}

/**
 * The log fields for a failure: an expected refusal as Telegram's code and description (and what gave
 * up retrying it), one line without a stack; anything else as `err`, with its stack, for what nobody expected.
 */
export function failureLogFields (error: unknown): { telegram: TelegramRefusal, failure?: string } | { err: unknown } {
  const telegram = expectedRefusal(error)
  if (telegram === undefined) return { err: error }
  return error instanceof TransientError ? { telegram, failure: error.message } : { telegram }
}

/**
 * Telegram refused for good because of the chat or the request (400 bad request, 403 blocked by the
 * user): a retry would be refused again. 401/404 mean our token or API root is wrong: those are retried,
 * so they end in the DLQ and its alarm instead of being acknowledged.
 */
export function isPermanentTelegramRefusal (error: unknown): boolean {
  return error instanceof TelegramError && (error.code === 400 || error.code === 403)
}
