/**
 * What became of each update after the emulator delivered it, as the local runtime reports it (the real
 * Telegram knows nothing of this). The chat CLI reads it to tell "the bot answered nothing" from "the
 * runtime is not processing", and to wait for the apology while an update is being retried.
 */

/** `processed`: the worker finished the update; `failed`: the worker failed it (SQS delivers it again); `dead-lettered`: the dead-letter handler took it. */
export type ProcessingOutcome = 'processed' | 'failed' | 'dead-lettered'

export interface ProcessingAttempt {
  outcome: ProcessingOutcome
  /** When it was reported (ms since the epoch). */
  at: number
}

/** One update as the chat CLI sees it (`GET /emulator/updates/<id>`). */
export interface UpdateStatus {
  update_id: number
  /** Still in the emulator's queue: not yet accepted by the bot's webhook (or fetched with getUpdates). */
  pending: boolean
  /** The runtime's reports, in order. */
  attempts: ProcessingAttempt[]
  /** Why Telegram would never send this update to the bot (privacy mode, allowed_updates); absent when it is sent. */
  withheld?: string
  /** The webhook's last error, as getWebhookInfo reports it. */
  last_webhook_error?: string
}

export class ProcessingRecord {
  private readonly attempts = new Map<number, ProcessingAttempt[]>()

  report (updateId: number, outcome: ProcessingOutcome): void {
    const attempts = this.attempts.get(updateId) ?? []
    attempts.push({ outcome, at: Date.now() })
    this.attempts.set(updateId, attempts)
  }

  attemptsOf (updateId: number): ProcessingAttempt[] {
    return (this.attempts.get(updateId) ?? []).map((attempt) => ({ ...attempt }))
  }
}
