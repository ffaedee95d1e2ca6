/**
 * The registry's declarative part: each command of src/commands/index.ts (same names, same order) and
 * the outcomes it counts, one `CommandOutcome` data point per answer with `command` and `outcome`
 * dimensions. Plain data that imports nothing, so that infra/dashboard.ts can chart every command
 * from it without bundling the commands' code (telegraf and the rest, 650 KB) into the SST program.
 * A command takes its outcomes from here (`outcomes: COMMAND_OUTCOMES.register`);
 * test/commands/outcomes.test.ts fails when this table and the registry disagree.
 */
export const COMMAND_OUTCOMES = {
  register: ['registered', 'rejected', 'malformed', 'refused-sender'],
  help: [],
  start: []
} as const satisfies Record<string, readonly string[]>

/** The metric the outcomes are counted in (src/plugins/metrics.ts) and charted from (infra/dashboard.ts). */
export const COMMAND_OUTCOME_METRIC = 'CommandOutcome'

export type CommandName = keyof typeof COMMAND_OUTCOMES
/** The outcomes a command of the registry declares, as a type: `OutcomeOf<'register'>`. */
export type OutcomeOf<Name extends CommandName> = (typeof COMMAND_OUTCOMES)[Name][number]
