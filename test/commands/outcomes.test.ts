import t from 'tap'
import { commands } from '../../src/commands/index.js'
import { COMMAND_OUTCOMES } from '../../src/commands/outcomes.js'

/** src/commands/outcomes.ts is what infra charts: it must be the registry's own declaration, command for command. */

/**
 * What differs between the registry and this table (none when it is the registry's own declaration):
 * the names in order, then each command's outcomes.
 */
function outcomesTableProblems (registry: ReadonlyArray<{ name: string, outcomes: readonly string[] }>): string[] {
  const table = COMMAND_OUTCOMES as Record<string, readonly string[]>
  const [names, tableNames] = [registry.map((command) => command.name).join(', '), Object.keys(table).join(', ')]
  if (names !== tableNames) return [`commands: ${names} in the registry, but ${tableNames} in src/commands/outcomes.ts`]
  return registry.filter((command) => command.outcomes.join(', ') !== table[command.name]?.join(', '))
    .map((command) => `/${command.name} declares ${command.outcomes.join(', ')}; src/commands/outcomes.ts says ${table[command.name]?.join(', ') ?? ''}`)
}

t.test('the outcomes table names every command of the registry, in order, with the outcomes each declares', async (t) => {
  t.same(outcomesTableProblems(commands), [])
  t.same(Object.keys(COMMAND_OUTCOMES), commands.map((command) => command.name))
  t.same(COMMAND_OUTCOMES.register, ['registered', 'rejected', 'malformed', 'refused-sender'])
})

t.test('a command missing from the table, one the table has and the registry does not, and outcomes that differ are all reported', async (t) => {
  const [register, help, start] = commands
  if (register === undefined || help === undefined || start === undefined) throw new Error('the registry changed: update this test')
  t.same(outcomesTableProblems([...commands, { ...help, name: 'balance', outcomes: ['answered'] }]), [
    'commands: register, help, start, balance in the registry, but register, help, start in src/commands/outcomes.ts'
  ])
  t.same(outcomesTableProblems([register, help]), ['commands: register, help in the registry, but register, help, start in src/commands/outcomes.ts'])
  t.same(outcomesTableProblems([{ ...register, outcomes: ['registered', 'rejected', 'malformed'] }, help, start]), [
    '/register declares registered, rejected, malformed; src/commands/outcomes.ts says registered, rejected, malformed, refused-sender'
  ])
})
