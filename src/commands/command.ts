import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Context, NarrowedContext } from 'telegraf'
import type { Message, Update } from 'telegraf/types'

/** A text message from a user, as a command sees it. */
export type TextMessageContext = NarrowedContext<Context, Update.MessageUpdate<Message.TextMessage>>

export interface CommandInvocation {
  ctx: TextMessageContext
  /** The words after the command, split on whitespace. */
  args: string[]
  /** The app, for its plugins (registrations, config, …). */
  app: FastifyInstance
  /** Bound to the update; never give it message text. */
  log: FastifyBaseLogger
}

/** One bot command: registered in src/commands/index.ts, which is also the source of the bot's command menu. */
export interface BotCommand {
  /** Lowercase, without the slash: `register`. */
  name: string
  /** Shown in Telegram's command menu (setMyCommands). */
  description: string
  usage: string
  handle: (invocation: CommandInvocation) => Promise<void>
}
