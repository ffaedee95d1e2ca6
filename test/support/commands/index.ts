import { commands } from '../../../src/commands/index.js'
import { balance } from './balance.js'
import { bets } from './bets.js'

/** The bot's registry and two commands that exist only in the tests: one registry line each. */
export const testCommands = [...commands, balance, bets]
