/**
 * The parts of `npm run test:load` that decide something: reading tap's closing summary and reporting
 * a run. The script (scripts/test-load.ts) only starts the processes.
 */

/** tap's closing count line, `# { total: 2405, pass: 2402, fail: 1, skip: 2 }`, as numbers. */
export interface TapCounts {
  total: number
  pass: number
  fail: number
  skip: number
  todo: number
}

/** The counts of the last summary line in a tap run's output, or undefined when the run printed none (it was stopped). */
export function tapCounts (output: string): TapCounts | undefined {
  const lines = output.split('\n').filter((line) => /^# \{ total: \d+/.test(line))
  const last = lines.at(-1)
  if (last === undefined) return undefined
  const count = (name: string): number => Number(new RegExp(`\\b${name}: (\\d+)`).exec(last)?.[1] ?? 0)
  return { total: count('total'), pass: count('pass'), fail: count('fail'), skip: count('skip'), todo: count('todo') }
}

export interface RunReport {
  run: number
  runs: number
  exitCode: number | null
  /** The run was stopped at the time limit. */
  stopped: boolean
  seconds: number
  counts: TapCounts | undefined
  log: string
}

export function passed (report: RunReport): boolean {
  return report.exitCode === 0 && !report.stopped && report.counts !== undefined && report.counts.fail === 0
}

/** One line per run: verdict, exit code, tap's counts, wall time, where the whole output is. */
export function describeRun (report: RunReport): string {
  const { counts } = report
  const verdict = passed(report) ? 'PASS' : 'FAIL'
  const outcome = report.stopped ? 'stopped at the time limit' : `rc ${String(report.exitCode)}`
  const tally = counts === undefined
    ? 'no tap summary'
    : `${counts.total} tests, ${counts.pass} pass, ${counts.fail} fail, ${counts.skip} skip${counts.todo > 0 ? `, ${counts.todo} todo` : ''}`
  return `run ${report.run}/${report.runs}: ${verdict} (${outcome}) ${tally}, ${report.seconds} s; log: ${report.log}`
}

/** A whole number in [min, max] from an option's text, or a one-line refusal naming the option. */
export function boundedInteger (text: string | undefined, fallback: number, { name, min, max }: { name: string, min: number, max: number }): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max} (got "${text}")`)
  return value
}
