import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Context, NarrowedContext } from 'telegraf'
import type { Update } from 'telegraf/types'
import type { DatabaseContract } from '../db/contract.js'
import type { LocalDatabase } from '../db/local-database.js'

/** A message from a user (a text, or a caption under a photo, video or file), as a command sees it. */
export type MessageContext = NarrowedContext<Context, Update.MessageUpdate>
/** A user's edit of an earlier message (Telegram's `edited_message`): it carries the message as edited. */
export type EditedMessageContext = NarrowedContext<Context, Update.EditedMessageUpdate>

/** What acting on an update's message needs, whether the message is new or an edit: the update, its chat, the app and the log. */
export interface MessageInvocation {
  ctx: MessageContext | EditedMessageContext
  app: FastifyInstance
  /** Bound to the update; never give it message text. */
  log: FastifyBaseLogger
}

export interface CommandInvocation extends MessageInvocation {
  ctx: MessageContext
  /** The words after the command, split on whitespace. */
  args: string[]
  /** The app, for its plugins (the database, config, the command registry, …). */
  app: FastifyInstance
  /** Bound to the update; never give it message text. */
  log: FastifyBaseLogger
}

/**
 * One bot command: registered in src/commands/index.ts, which is also the source of the bot's command
 * menu, help, metrics and dashboard. `Outcome` is what it counts (`app.botMetrics.commandOutcome`).
 */
export interface BotCommand<Outcome extends string = string> {
  /** Lowercase, without the slash: `register`. */
  name: string
  /** Shown in Telegram's command menu (setMyCommands) and in the help. */
  description: string
  usage: string
  /**
   * In groups, `always` answers `/name` as well as `/name@bot`; `when-addressed` only `/name@bot`, so that
   * a `/help` meant for another bot of the group is not answered by every bot; `private-only` is not
   * handled in a group at all: `/name` and `/name@bot` get a pointer to the private chat, and neither
   * the arguments nor the database are read (for a command whose answer is nobody else's business).
   */
  inGroups: 'always' | 'when-addressed' | 'private-only'
  /**
   * What the command counts, one `CommandOutcome` data point per answer: the only outcomes
   * `app.botMetrics.commandOutcome(command, …)` accepts, and one line each on the dashboard
   * (for the bot's registry, from src/commands/outcomes.ts).
   */
  outcomes: readonly Outcome[]
  handle: (invocation: CommandInvocation) => Promise<void>
  /** The database objects the command calls, as it relies on them (`npm run db:verify` checks each against the real one). */
  contracts?: readonly DatabaseContract[]
  /**
   * Loads the command's stand-ins for those objects in the embedded SQLite database (its `.local.ts`,
   * through a dynamic import so that only a SQLite database ever evaluates it).
   */
  local?: () => Promise<LocalDatabase>
  /**
   * What surrounds the answer to an edit of this command's message (src/commands/edited-command.ts:
   * edits are answered, never run), e.g. removing a message that shows a credential. Default: the answer alone.
   */
  aroundEditAnswer?: (invocation: MessageInvocation, answer: () => Promise<void>) => Promise<void>
}

export function isGroupChat (chat: { type: string }): boolean {
  return chat.type === 'group' || chat.type === 'supergroup'
}
