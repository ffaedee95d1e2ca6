import type { BotCommand } from './command.js'
import { register } from './register.js'

/** Every command the bot understands, in menu order: the one place a new command is added. */
export const commands: readonly BotCommand[] = [register]
