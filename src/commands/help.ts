import { BOT_TEXTS } from './bot-texts.js'
import type { BotCommand } from './command.js'
import { COMMAND_OUTCOMES } from './outcomes.js'
import { replyOnce } from './reply-once.js'

/** What the bot does, then each command's usage and description, from the registry (src/commands/index.ts). */
export function helpText (commands: readonly BotCommand[]): string {
  return [BOT_TEXTS.about, '', 'Commands:', ...commands.map((command) => `${command.usage} - ${command.description}`)].join('\n')
}

/** `/help` (`/help@bot` in a group): what the bot does and how to use each command. */
export const help: BotCommand = {
  name: 'help',
  description: 'What this bot does and how to use its commands',
  usage: '/help',
  inGroups: 'when-addressed',
  outcomes: COMMAND_OUTCOMES.help,
  async handle (invocation) {
    await replyOnce(invocation, helpText(invocation.app.commandRegistry.commands))
  }
}
