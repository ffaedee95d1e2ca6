import { setTimeout as sleep } from 'node:timers/promises'
import type { Telegram } from 'telegraf'

export interface PollingRelayOptions {
  telegram: Telegram
  webhookUrl: string
  webhookSecret: string
  /** Take the updates even though a webhook is set (deletes it: a deployed bot stops receiving). */
  force: boolean
  log: (line: string) => void
}

export interface PollingRelay { stop: () => Promise<void> }

/** The relay refused to start; its message says why and what to do. */
export class RelayRefusedError extends Error {
  override name = 'RelayRefusedError'
}

const LONG_POLL_SECONDS = 25
const MAX_BACKOFF_MS = 30_000

/**
 * Local development against the real Bot API without a public URL (no ngrok): long-polls
 * getUpdates and posts each update to the local webhook exactly as Telegram would, with the
 * secret header, confirming it (by offset) only after the webhook answered 2xx.
 */
export async function startPollingRelay (options: PollingRelayOptions): Promise<PollingRelay> {
  const { telegram, log } = options
  const webhookUrl = (await telegram.getWebhookInfo()).url ?? ''
  if (webhookUrl !== '') {
    if (!options.force) {
      throw new RelayRefusedError(`this bot has a webhook set (${new URL(webhookUrl).host}); polling would take a deployed bot's updates. Use a separate bot token for local work, start with TELEGRAM_POLL=0, or pass --force to delete the webhook`)
    }
    await telegram.deleteWebhook({ drop_pending_updates: false })
    log(`--force: deleted the webhook of ${new URL(webhookUrl).host}; run npm run telegram:setup to restore it`)
  }

  const abort = new AbortController()
  const deliver = async (update: { update_id: number }): Promise<void> => {
    for (let backoffMs = 1000; ; backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS)) {
      try {
        const response = await fetch(options.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': options.webhookSecret },
          body: JSON.stringify(update),
          signal: abort.signal
        })
        if (response.ok) return
        log(`webhook answered ${response.status} to update ${update.update_id}; retrying in ${backoffMs} ms`)
      } catch (error) {
        if (abort.signal.aborted) throw error
        log(`webhook unreachable for update ${update.update_id}; retrying in ${backoffMs} ms`)
      }
      await sleep(backoffMs, undefined, { signal: abort.signal })
    }
  }

  const loop = async (): Promise<void> => {
    let offset: number | undefined
    while (!abort.signal.aborted) {
      try {
        // Telegraf types its signal with the abort-controller polyfill; node-fetch accepts the native one.
        const signal = abort.signal as unknown as NonNullable<Parameters<Telegram['callApi']>[2]>['signal']
        const updates = await telegram.callApi('getUpdates', { offset, timeout: LONG_POLL_SECONDS }, { signal })
        for (const update of updates) {
          await deliver(update)
          offset = update.update_id + 1
        }
      } catch (error) {
        if (abort.signal.aborted) return
        log(`getUpdates failed (${(error as Error).name}); retrying`)
        await sleep(1000, undefined, { signal: abort.signal }).catch(() => undefined)
      }
    }
  }
  const running = loop()

  return {
    async stop () {
      abort.abort()
      await running
    }
  }
}
