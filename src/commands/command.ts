import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Context, NarrowedContext } from 'telegraf'
import type { Update } from 'telegraf/types'

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
  /** The app, for its plugins (registrations, config, the command registry, …). */
  app: FastifyInstance
  /** Bound to the update; never give it message text. */
  log: FastifyBaseLogger
}

/** One bot command: registered in src/commands/index.ts, which is also the source of the bot's command menu and help. */
export interface BotCommand {
  /** Lowercase, without the slash: `register`. */
  name: string
  /** Shown in Telegram's command menu (setMyCommands) and in the help. */
  description: string
  usage: string
  /**
   * In groups, `always` answers `/name` as well as `/name@bot`; `when-addressed` only `/name@bot`, so that
   * a `/help` meant for another bot of the group is not answered by every bot.
   */
  inGroups: 'always' | 'when-addressed'
  handle: (invocation: CommandInvocation) => Promise<void>
  /**
   * What surrounds the answer to an edit of this command's message (src/commands/edited-command.ts:
   * edits are answered, never run), e.g. removing a message that shows a credential. Default: the answer alone.
   */
  aroundEditAnswer?: (invocation: MessageInvocation, answer: () => Promise<void>) => Promise<void>
}

export function isGroupChat (chat: { type: string }): boolean {
  return chat.type === 'group' || chat.type === 'supergroup'
}
