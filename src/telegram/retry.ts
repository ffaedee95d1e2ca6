import { setTimeout as sleep } from 'node:timers/promises'
import { TelegramError, type Telegram } from 'telegraf'
import { TransientError } from '../errors.js'
import { remainingMs } from '../worker/deadline.js'

const MAX_ATTEMPTS = 5
const FIRST_BACKOFF_MS = 500
/** Never start a wait that would leave less than this for the call itself and the rest of the update. */
const TIME_RESERVED_AFTER_WAIT_MS = 5000

/** How long Telegram asks us to wait (429), or undefined when the failure is not worth retrying. */
export function retryDelayMs (error: unknown, attempt: number): number | undefined {
  if (error instanceof TelegramError) {
    if (error.code === 429) return ((error.parameters?.retry_after ?? 1) * 1000)
    return error.code >= 500 ? FIRST_BACKOFF_MS * 2 ** (attempt - 1) : undefined
  }
  // node-fetch's FetchError and socket errors: the request may not have reached Telegram; try again.
  const name = (error as { name?: unknown } | undefined)?.name
  return name === 'FetchError' || name === 'AbortError' ? FIRST_BACKOFF_MS * 2 ** (attempt - 1) : undefined
}

/**
 * Makes every Bot API call of this client wait and retry on 429 (after `retry_after`), 5xx and
 * network errors, while the current update's deadline allows; then it fails with a TransientError
 * so the queue redelivers the update. Other errors (400, 403) are permanent and pass through.
 */
export function retryTelegramCalls (telegram: Telegram): void {
  const callApi = telegram.callApi.bind(telegram)
  telegram.callApi = async function retryingCallApi (...args: Parameters<Telegram['callApi']>) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await callApi(...args)
      } catch (error) {
        const delay = retryDelayMs(error, attempt)
        if (delay === undefined) throw error
        if (attempt >= MAX_ATTEMPTS || delay + TIME_RESERVED_AFTER_WAIT_MS > remainingMs()) {
          throw new TransientError(`Telegram ${args[0]} still failing after ${attempt} attempts`, { cause: error })
        }
        await sleep(delay)
      }
    }
  } as Telegram['callApi']
}
