import { BOT_TEXTS } from './bot-texts.js'
import type { BotCommand } from './command.js'
import { helpText } from './help.js'
import { COMMAND_OUTCOMES } from './outcomes.js'
import { replyOnce } from './reply-once.js'

/** The payload of the deep link `https://t.me/<bot>?start=register`, which a group message points people to. */
export const REGISTER_DEEP_LINK_PAYLOAD = 'register'

/**
 * `/start` (sent when someone opens the bot) and `/start <payload>` (a deep link): the help, or for
 * `/start register` the `/register` usage, so people register in the private chat rather than in a group.
 */
export const start: BotCommand = {
  name: 'start',
  description: 'Start talking to the bot',
  usage: '/start',
  inGroups: 'when-addressed',
  outcomes: COMMAND_OUTCOMES.start,
  async handle (invocation) {
    const { commands } = invocation.app.commandRegistry
    const register = commands.find((command) => command.name === 'register')
    const asksToRegister = invocation.args[0]?.toLowerCase() === REGISTER_DEEP_LINK_PAYLOAD && register !== undefined
    await replyOnce(invocation, asksToRegister ? BOT_TEXTS.registerHere(register.usage) : helpText(commands))
  }
}
