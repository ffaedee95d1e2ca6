import { setTimeout as sleep } from 'node:timers/promises'
import { TelegramError, type Telegram } from 'telegraf'
import { RECORD_BUDGET } from '../../infra/settings.js'
import { callSignal, deadlineSignal, remainingMs } from '../deadline.js'
import { TransientError } from '../errors.js'

type ShimSignal = NonNullable<Parameters<Telegram['callApi']>[2]>['signal']

const MAX_ATTEMPTS = 5
const FIRST_BACKOFF_MS = 500

/** How long Telegram asks us to wait (429), or undefined when the failure is not worth retrying. */
export function retryDelayMs (error: unknown, attempt: number): number | undefined {
  if (error instanceof TelegramError) {
    if (error.code === 429) return ((error.parameters?.retry_after ?? 1) * 1000)
    return error.code >= 500 ? FIRST_BACKOFF_MS * 2 ** (attempt - 1) : undefined
  }
  // node-fetch's FetchError and socket errors: Telegram may or may not have taken the request; tried again,
  // so a message it took may go out twice (docs/design.md, "What still happens twice").
  const name = (error as { name?: unknown } | undefined)?.name
  return name === 'FetchError' || name === 'AbortError' ? FIRST_BACKOFF_MS * 2 ** (attempt - 1) : undefined
}

/**
 * Makes every Bot API call of this client bounded and retried. Each attempt is aborted after its own
 * timeout or at the current update's deadline (src/deadline.ts), whichever comes first: an aborted call
 * has an unknown outcome and is not repeated here, it fails with a TransientError and the update's
 * ledger decides what a redelivery repeats. 429 (after `retry_after`), 5xx and network errors are
 * retried while the deadline allows the wait; then a TransientError makes the queue redeliver the
 * update. Other errors (400, 403) are permanent and pass through.
 */
export function retryTelegramCalls (telegram: Telegram): void {
  const callApi = telegram.callApi.bind(telegram)
  telegram.callApi = async function boundedCallApi (...[method, payload, callerOptions]: Parameters<Telegram['callApi']>) {
    // Telegraf types its signal as the abort-controller shim's; node-fetch takes Node's own.
    const callerSignal = callerOptions?.signal as unknown as AbortSignal | undefined
    const longPollMs = 1000 * Number((payload as { timeout?: unknown } | undefined)?.timeout ?? 0)
    for (let attempt = 1; ; attempt++) {
      // A long poll (getUpdates' `timeout`) gets its wait on top of the call's own bound.
      const bound = callSignal(RECORD_BUDGET.botApiCallTimeoutMs + (Number.isFinite(longPollMs) ? longPollMs : 0))
      const signal = callerSignal === undefined ? bound : AbortSignal.any([callerSignal, bound])
      try {
        return await callApi(method, payload, { ...callerOptions, signal: signal as unknown as ShimSignal })
      } catch (error) {
        if (bound.aborted) {
          throw new TransientError(`Telegram ${method} aborted: no answer within its timeout or the update's deadline (outcome unknown)`, { cause: error })
        }
        const delay = retryDelayMs(error, attempt)
        if (delay === undefined || callerSignal?.aborted === true) throw error
        if (attempt >= MAX_ATTEMPTS || delay + RECORD_BUDGET.timeReservedAfterWaitMs > remainingMs()) {
          throw new TransientError(`Telegram ${method} still failing after ${attempt} attempts`, { cause: error })
        }
        await sleep(delay, undefined, { signal: deadlineSignal() })
      }
    }
  } as Telegram['callApi']
}
