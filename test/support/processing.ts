import type { TelegramEmulator, UpdateStatus } from '../../src/local/telegram-emulator.js'
import { Notifier, waitFor } from '../../src/local/telegram-emulator/waiting.js'

/**
 * The local runtime reports each update's outcome to its emulator once the batch handler returned
 * (src/local/processing-report.ts): by then the worker has written everything it writes for that
 * receive (ledger records, logs). Waiting for that report is waiting on the event itself; the reply
 * reaching the chat comes a moment earlier, so a test polling the ledger from there races the worker.
 */
export function watchProcessing (emulator: TelegramEmulator): { untilReported: (updateId: number, count: number, timeoutMs?: number) => Promise<UpdateStatus> } {
  const reported = new Notifier()
  const report = emulator.reportProcessing.bind(emulator)
  emulator.reportProcessing = (updateId, outcome) => {
    report(updateId, outcome)
    reported.notify()
  }
  return {
    async untilReported (updateId, count, timeoutMs = 15_000) {
      const enough = (): UpdateStatus | undefined => {
        const status = emulator.updateStatus(updateId)
        return status.attempts.length >= count ? status : undefined
      }
      const status = await waitFor(reported, enough, timeoutMs)
      if (status !== undefined) return status
      throw new Error(`expected ${count} processing report(s) for update ${updateId} within ${timeoutMs} ms; got ${JSON.stringify(emulator.updateStatus(updateId).attempts)}`)
    }
  }
}
