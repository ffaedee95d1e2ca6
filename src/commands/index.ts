import type { BotCommand } from './command.js'
import { help } from './help.js'
import { register } from './register.js'
import { start } from './start.js'

/** Every command the bot understands, in menu and help order: the one place a new command is added. */
export const commands: readonly BotCommand[] = [register, help, start]
