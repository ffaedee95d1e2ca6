import type { LoggerOptions } from 'pino'
import type { LogLevel } from './config.js'

/** Bot API URLs carry the token in their path (`/bot<token>/method`); errors from HTTP clients repeat it. */
const BOT_TOKEN_IN_TEXT = /\d{1,20}:[A-Za-z0-9_-]{20,100}/g

/** Replaces every bot-token-shaped substring and every known secret value in a text. */
export function scrubSecrets (text: string, secrets: readonly string[]): string {
  let scrubbed = text.replace(BOT_TOKEN_IN_TEXT, '[redacted]')
  for (const secret of secrets) {
    if (secret.length >= 6) scrubbed = scrubbed.split(secret).join('[redacted]')
  }
  return scrubbed
}

const MAX_CAUSE_DEPTH = 5

/** The driver's request errors (mssql and tedious name them so); they quote parameters of the failed call. */
const REQUEST_ERROR_NAMES: ReadonlySet<string> = new Set(['RequestError', 'PreparedStatementError', 'TransactionError'])

/**
 * Whether an error's text may quote a parameter of the call that failed: a SQL Server error (it has a
 * server error number; conversion, truncation and constraint errors quote the value, whole or cut short,
 * and a procedure may raise any text) or a request error of the driver. Its text is withheld from the log.
 */
function mayQuoteParameters (error: Error & { number?: unknown }): boolean {
  return typeof error.number === 'number' || REQUEST_ERROR_NAMES.has(error.name)
}

/** The text that replaces the message of such an error, and the first line of its stack. */
export const WITHHELD_MESSAGE = "[withheld: the database's error text may quote a parameter]"

interface SerializedError { type: string, message: string, stack: string, code?: unknown, number?: unknown, [key: string]: unknown }

/** A stack without its header (`Name: message`, which may span lines): only the `at …` frames. */
function stackFrames (stack: string): string {
  const firstFrame = stack.search(/\n\s+at /)
  return firstFrame === -1 ? '' : stack.slice(firstFrame + 1)
}

/**
 * pino options shared by every entry. Paths that could carry user text or credentials are
 * redacted; errors are reduced to a few fields and scrubbed, because client errors embed URLs and payloads.
 */
export function loggerOptions (level: LogLevel, secrets: readonly string[]): LoggerOptions {
  // Causes are followed this deep: a chain that loops back on itself must not overflow the stack.
  const serializeError = (error: unknown, depth = 0): SerializedError => {
    if (!(error instanceof Error)) return { type: typeof error, message: scrubSecrets(String(error), secrets), stack: '' }
    const details = error as Error & { code?: unknown, number?: unknown, statusCode?: unknown, cause?: unknown }
    const withheld = mayQuoteParameters(details)
    const stack = error.stack ?? ''
    return {
      type: error.name,
      message: withheld ? WITHHELD_MESSAGE : scrubSecrets(error.message, secrets),
      // The stack's first lines repeat the message; only the frames are kept.
      stack: withheld ? stackFrames(stack) : scrubSecrets(stack, secrets),
      code: details.code,
      number: details.number,
      statusCode: details.statusCode,
      cause: details.cause === undefined || depth >= MAX_CAUSE_DEPTH ? undefined : serializeError(details.cause, depth + 1)
    }
  }
  return {
    level,
    redact: {
      paths: [
        'req.headers["x-telegram-bot-api-secret-token"]',
        'req.headers.authorization',
        'update.message.text',
        'update.edited_message.text',
        'update.message.caption',
        'update.edited_message.caption',
        'text',
        'token',
        'payload.text'
      ],
      censor: '[redacted]'
    },
    serializers: { err: serializeError, error: serializeError }
  }
}
