import { updateTypeOf, type RawUpdate } from './update.js'

/** Telegram's command syntax: `/name` or `/name@bot_username`, then arguments. */
const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,32}))?(?:\s+([\s\S]*))?$/

export interface ParsedCommand { name: string, addressee?: string, args: string[] }

export function parseCommand (text: string): ParsedCommand | undefined {
  const match = COMMAND.exec(text.trim())
  if (match === null) return undefined
  const rest = match[3]?.trim() ?? ''
  return { name: (match[1] ?? '').toLowerCase(), addressee: match[2], args: rest === '' ? [] : rest.split(/\s+/) }
}

/** The command a message holds: in its text, or in the caption of a photo, video or file (parsed the same way). */
export function commandIn (message: object): ParsedCommand | undefined {
  const { text, caption } = message as { text?: unknown, caption?: unknown }
  const written = typeof text === 'string' ? text : caption
  return typeof written === 'string' ? parseCommand(written) : undefined
}

/**
 * Whom a command names after its `@`: this bot (`botUsername`, in any case; any name when the username is
 * not known), another bot, or nobody (undefined).
 */
export function addresseeOf (command: ParsedCommand, botUsername: string | undefined): 'this bot' | 'another bot' | undefined {
  if (command.addressee === undefined) return undefined
  return botUsername === undefined || command.addressee.toLowerCase() === botUsername.toLowerCase() ? 'this bot' : 'another bot'
}

/**
 * The command a raw update's message or edited message holds for the bot `botUsername`, read without the
 * Bot API library: what the dead-letter path asks before telling a user their update failed, since only
 * a command was waiting for an answer.
 */
export function commandForBotIn (update: RawUpdate, botUsername: string | undefined): ParsedCommand | undefined {
  const type = updateTypeOf(update)
  const message = update[type]
  if ((type !== 'message' && type !== 'edited_message') || typeof message !== 'object' || message === null) return undefined
  const parsed = commandIn(message)
  return parsed === undefined || addresseeOf(parsed, botUsername) === 'another bot' ? undefined : parsed
}
