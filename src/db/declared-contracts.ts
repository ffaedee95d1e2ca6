import type { BotCommand } from '../commands/command.js'
import type { DatabaseContract } from './contract.js'

/**
 * Every database contract the registry's commands declare, each declaration once: one shared by two commands
 * (the same object) is verified once, while two declarations of the same database object (say, reading other
 * columns) are both verified, as each is what its command relies on.
 */
export function declaredContracts (commands: readonly BotCommand[]): DatabaseContract[] {
  return [...new Set(commands.flatMap((command) => command.contracts ?? []))]
}
