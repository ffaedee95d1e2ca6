import fp from 'fastify-plugin'
import type { FastifyBaseLogger } from 'fastify'
import type { BotCommand as MenuEntry } from 'telegraf/types'
import { BOT_TEXTS } from '../commands/bot-texts.js'
import { isGroupChat, type BotCommand, type MessageContext, type MessageInvocation } from '../commands/command.js'
import { answerEditedCommand } from '../commands/edited-command.js'
import { commands as allCommands } from '../commands/index.js'
import { replyOnce } from '../commands/reply-once.js'
import { addresseeOf, commandIn } from '../telegram/command-text.js'

export interface CommandRegistry {
  readonly commands: readonly BotCommand[]
  /** The menu for setMyCommands. */
  menu: () => MenuEntry[]
  /** Where every message that is not a command goes; group-message processing will start here. */
  onMessage: (ctx: MessageContext, log: FastifyBaseLogger) => Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    commandRegistry: CommandRegistry
  }
}

/** Wires the commands of src/commands into the bot: one dispatcher for every message, one for every edit. */
export default fp<{ commands?: readonly BotCommand[] }>(async (fastify, options) => {
  const commands = options.commands ?? allCommands
  const byName = new Map(commands.map((command) => [command.name, command]))
  const registry: CommandRegistry = {
    commands,
    menu: () => commands.map((command) => ({ command: command.name, description: command.description })),
    async onMessage (_ctx, log) { log.debug('message without a command: nothing to do yet') }
  }
  fastify.decorate('commandRegistry', registry)

  /** The registered command a message's text or caption calls on this bot, if any (logged when one is left alone). */
  const commandOf = (ctx: MessageInvocation['ctx'], message: object, log: FastifyBaseLogger): { command: BotCommand, args: string[] } | 'none' | 'not-ours' => {
    const parsed = commandIn(message)
    if (parsed === undefined) return 'none'
    const addressee = addresseeOf(parsed, ctx.botInfo.username)
    if (addressee === 'another bot') {
      log.debug({ command: parsed.name }, 'command addressed to another bot: ignored')
      return 'not-ours'
    }
    const command = byName.get(parsed.name)
    if (command === undefined) {
      log.debug({ command: parsed.name }, 'unknown command: ignored')
      return 'not-ours'
    }
    if (isGroupChat(ctx.chat) && command.inGroups === 'when-addressed' && addressee !== 'this bot') {
      log.debug({ command: parsed.name }, 'command not addressed to this bot in a group: left to the bot it is meant for')
      return 'not-ours'
    }
    return { command, args: parsed.args }
  }
  const logFor = (ctx: MessageInvocation['ctx']): FastifyBaseLogger => fastify.log.child({ updateId: ctx.update.update_id, chatType: ctx.chat.type })

  fastify.bot.on('message', async (ctx) => {
    const log = logFor(ctx)
    const found = commandOf(ctx, ctx.message, log)
    if (found === 'none') return await registry.onMessage(ctx, log)
    if (found === 'not-ours') return
    const { command, args } = found
    if (isGroupChat(ctx.chat) && command.inGroups === 'private-only') {
      // The command is not called: what was written after it stays unread, and nothing is asked of the database.
      log.info({ command: command.name }, 'private-only command in a group: pointed to the private chat')
      await replyOnce({ ctx, app: fastify }, BOT_TEXTS.privateChatOnly(command.name, ctx.botInfo.username))
      return
    }
    await command.handle({ ctx, args, app: fastify, log: log.child({ command: command.name }) })
  })

  // An edit is answered when it holds one of our commands (src/commands/edited-command.ts); any other
  // edit costs nothing: no Bot API call, no ledger record.
  fastify.bot.on('edited_message', async (ctx) => {
    const log = logFor(ctx)
    const found = commandOf(ctx, ctx.editedMessage, log)
    if (typeof found === 'string') {
      log.debug('edited message without a command of this bot: nothing to do')
      return
    }
    await answerEditedCommand(found.command, { ctx, app: fastify, log: log.child({ command: found.command.name, edited: true }) })
  })
// The commands use all of these: an app without one fails at start, not at the first /register.
}, { name: 'commands', dependencies: ['bot', 'db', 'update-ledger', 'metrics'] })
