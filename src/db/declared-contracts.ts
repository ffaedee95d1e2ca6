import type { BotCommand } from '../commands/command.js'
import type { DatabaseContract } from './contract.js'

/** Every database contract the registry's commands declare, each object once (two commands may share one). */
export function declaredContracts (commands: readonly BotCommand[]): DatabaseContract[] {
  const contracts = commands.flatMap((command) => command.contracts ?? [])
  return [...new Map(contracts.map((contract) => [contract.name, contract])).values()]
}
