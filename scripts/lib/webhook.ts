/** The webhook the bot runs on, and how Telegram's view of it compares. */
import { TELEGRAM_WEBHOOK } from '../../infra/settings.js'

export const WEBHOOK_PATH = '/telegram/webhook'

export interface WebhookSettings {
  url: string
  secret_token: string
  allowed_updates: string[]
  max_connections: number
}

/** What getWebhookInfo returns (the fields these scripts read). */
export interface WebhookInfo {
  url: string
  has_custom_certificate?: boolean
  pending_update_count: number
  ip_address?: string
  last_error_date?: number
  last_error_message?: string
  last_synchronization_error_date?: number
  max_connections?: number
  allowed_updates?: string[]
}

/**
 * The webhook to set: `allowedUpdates` are the update types the bot handles (src/worker/handled-updates.ts),
 * always sent, since a setWebhook without them keeps whatever was set before.
 */
export function desiredWebhook (apiUrl: string, webhookSecret: string, allowedUpdates: readonly string[]): WebhookSettings {
  return {
    url: `${apiUrl}${WEBHOOK_PATH}`,
    secret_token: webhookSecret,
    allowed_updates: [...allowedUpdates],
    max_connections: TELEGRAM_WEBHOOK.maxConnections
  }
}

/** Differences Telegram reports against what was set (getWebhookInfo never returns the secret). */
export function webhookMismatches (desired: WebhookSettings, info: WebhookInfo): string[] {
  const mismatches: string[] = []
  const differs = (field: string, expected: unknown, actual: unknown) => {
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      mismatches.push(`${field}: expected ${JSON.stringify(expected)}, Telegram has ${actual === undefined ? '(its default)' : JSON.stringify(actual)}`)
    }
  }
  differs('url', desired.url, info.url)
  differs('allowed_updates', [...desired.allowed_updates].sort(), info.allowed_updates === undefined ? undefined : [...info.allowed_updates].sort())
  differs('max_connections', desired.max_connections, info.max_connections)
  return mismatches
}

/** getWebhookInfo as readable lines. */
export function describeWebhook (info: WebhookInfo): string[] {
  const when = (seconds: number | undefined) => seconds === undefined ? 'never' : new Date(seconds * 1000).toISOString()
  return [
    `url:                  ${info.url === '' ? '(none: the bot is not on a webhook)' : info.url}`,
    `pending_update_count: ${info.pending_update_count}`,
    `last_error_date:      ${when(info.last_error_date)}`,
    `last_error_message:   ${info.last_error_message ?? '(none)'}`,
    `last_sync_error_date: ${when(info.last_synchronization_error_date)}`,
    `max_connections:      ${info.max_connections ?? '(default)'}`,
    `allowed_updates:      ${info.allowed_updates === undefined ? '(default)' : info.allowed_updates.join(', ')}`,
    `ip_address:           ${info.ip_address ?? '(unknown)'}`
  ]
}
