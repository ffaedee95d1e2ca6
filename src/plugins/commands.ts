import fp from 'fastify-plugin'
import type { FastifyBaseLogger } from 'fastify'
import { message } from 'telegraf/filters'
import type { BotCommand as MenuEntry } from 'telegraf/types'
import type { BotCommand, TextMessageContext } from '../commands/command.js'
import { commands as allCommands } from '../commands/index.js'

/** Telegram's command syntax: `/name` or `/name@bot_username`, then arguments. */
const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,32}))?(?:\s+([\s\S]*))?$/

export interface ParsedCommand { name: string, addressee?: string, args: string[] }

export function parseCommand (text: string): ParsedCommand | undefined {
  const match = COMMAND.exec(text.trim())
  if (match === null) return undefined
  const rest = match[3]?.trim() ?? ''
  return { name: (match[1] ?? '').toLowerCase(), addressee: match[2], args: rest === '' ? [] : rest.split(/\s+/) }
}

export interface CommandRegistry {
  readonly commands: readonly BotCommand[]
  /** The menu for setMyCommands. */
  menu: () => MenuEntry[]
  /** Where every message that is not a command goes; group-message processing will start here. */
  onMessage: (ctx: TextMessageContext, log: FastifyBaseLogger) => Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    commandRegistry: CommandRegistry
  }
}

/** Wires the commands of src/commands into the bot: one dispatcher for every text message. */
export default fp<{ commands?: readonly BotCommand[] }>(async (fastify, options) => {
  const commands = options.commands ?? allCommands
  const byName = new Map(commands.map((command) => [command.name, command]))
  const registry: CommandRegistry = {
    commands,
    menu: () => commands.map((command) => ({ command: command.name, description: command.description })),
    async onMessage (_ctx, log) { log.debug('message without a command: nothing to do yet') }
  }
  fastify.decorate('commandRegistry', registry)

  fastify.bot.on(message('text'), async (ctx) => {
    const log = fastify.log.child({ updateId: ctx.update.update_id, chatType: ctx.chat.type })
    const parsed = parseCommand(ctx.message.text)
    if (parsed === undefined) return await registry.onMessage(ctx, log)

    const botUsername = ctx.botInfo.username
    if (parsed.addressee !== undefined && parsed.addressee.toLowerCase() !== botUsername.toLowerCase()) {
      log.debug({ command: parsed.name }, 'command addressed to another bot: ignored')
      return
    }
    const command = byName.get(parsed.name)
    if (command === undefined) {
      log.debug({ command: parsed.name }, 'unknown command: ignored')
      return
    }
    await command.handle({ ctx, args: parsed.args, app: fastify, log: log.child({ command: command.name }) })
  })
}, { name: 'commands', dependencies: ['bot'] })
