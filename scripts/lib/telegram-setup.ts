import type { BotApi } from './bot-api.js'
import { describeWebhook, desiredWebhook, webhookMismatches, type WebhookInfo } from './webhook.js'

export interface CommandEntry { name: string, description: string }

export interface SetupInput {
  api: BotApi
  apiUrl: string
  webhookSecret: string
  commands: readonly CommandEntry[]
  /** The update types the bot handles: Telegram sends only these. */
  allowedUpdates: readonly string[]
  print: (line: string) => void
}

/**
 * Points the bot at the deployed webhook, publishes the command menu and reads both back.
 * Returns whether Telegram ended up with exactly what was set.
 */
export async function setupTelegram ({ api, apiUrl, webhookSecret, commands, allowedUpdates, print }: SetupInput): Promise<boolean> {
  const desired = desiredWebhook(apiUrl, webhookSecret, allowedUpdates)
  // Pending updates are kept: they are real users' messages.
  await api('setWebhook', { ...desired, drop_pending_updates: false })
  print(`setWebhook: ${desired.url} (allowed_updates ${desired.allowed_updates.join(',')}, max_connections ${desired.max_connections}, secret token set)`)

  const menu = commands.map((command) => ({ command: command.name, description: command.description }))
  await api('setMyCommands', { commands: menu })
  print(`setMyCommands: ${menu.map((entry) => `/${entry.command}`).join(' ')}`)

  const info = await api<WebhookInfo>('getWebhookInfo')
  const published = await api<Array<{ command: string, description: string }>>('getMyCommands')
  const mismatches = webhookMismatches(desired, info)
  if (JSON.stringify(published) !== JSON.stringify(menu)) {
    mismatches.push(`commands: expected ${JSON.stringify(menu)}, Telegram has ${JSON.stringify(published)}`)
  }

  for (const line of describeWebhook(info)) print(`  ${line}`)
  for (const mismatch of mismatches) print(`MISMATCH ${mismatch}`)
  print(mismatches.length === 0 ? 'verified: Telegram has the webhook and commands that were set' : 'NOT verified')
  return mismatches.length === 0
}
