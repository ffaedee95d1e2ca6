/**
 * npm run test:load -- [--runs <n>] [--busy <cores>] [--whole] [--limit-minutes <m>]
 * The suite run several times in a row while other processes keep cores busy, each run reported.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readCommandLine } from '../src/command-line.js'
import { runMain } from './lib/main.js'
import { boundedInteger, describeRun, passed, tapCounts, type RunReport } from './lib/test-load.js'

const USAGE = `Runs the test suite several times in a row, each run with cores kept busy by busy-loop processes it
starts and stops itself, and reports each run (tap's counts, wall time, exit code). Use it before
submitting a change to the test suite: a suite that passes only on an idle machine fails in CI.

  npm run test:load -- --runs 3

Options:
  --runs <n>            runs in a row (1-10, default 3)
  --busy <cores>        busy-loop processes during each run (0-8, default 1)
  --whole               run the whole \`npm test\` (typecheck, lint, installs, then tap) instead of \`tap\`
  --limit-minutes <m>   stop a run that takes longer (5-120, default 40)
  -h, --help            this text

Each run's whole output goes to a log file under the system's temp folder (its path is printed).
Exit status 1 if any run failed or was stopped.`

const ROOT = fileURLToPath(new URL('..', import.meta.url))

const args = readCommandLine(process.argv.slice(2), {
  command: 'npm run test:load',
  usage: USAGE,
  options: {
    runs: { type: 'string' },
    busy: { type: 'string' },
    whole: { type: 'boolean' },
    'limit-minutes': { type: 'string' }
  }
})

/**
 * Processes this script started and has not seen end (with whether each leads a process group of its
 * own: a run does, so tap's children stop with it), stopped on the way out whatever happens.
 */
const started = new Map<ChildProcess, boolean>()
function stop (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try { process.kill(started.get(child) === true ? -child.pid : child.pid, signal) } catch {}
}
function stopAll (): void { for (const child of started.keys()) stop(child, 'SIGKILL') }
process.on('exit', stopAll)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { stopAll(); process.exit(130) })

function track (child: ChildProcess, group = false): ChildProcess {
  started.set(child, group)
  child.on('close', () => { started.delete(child) })
  return child
}

async function oneRun (run: number, runs: number, options: { busy: number, whole: boolean, limitMs: number, logDir: string }): Promise<RunReport> {
  const busy = Array.from({ length: options.busy }, () => track(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' })))
  const log = join(options.logDir, `run-${run}.log`)
  const output = createWriteStream(log)
  const [command, commandArgs] = options.whole ? ['npm', ['test', '--', '-R', 'tap']] : [join(ROOT, 'node_modules/.bin/tap'), ['-R', 'tap']]
  const startedAt = Date.now()
  const suite = track(spawn(command, commandArgs, {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  }), true)
  suite.stdout?.pipe(output, { end: false })
  suite.stderr?.pipe(output, { end: false })
  let stopped = false
  const limit = setTimeout(() => {
    stopped = true
    stop(suite)
    setTimeout(() => { stop(suite, 'SIGKILL') }, 10_000).unref()
  }, options.limitMs)
  const exitCode = await new Promise<number | null>((resolve) => suite.on('close', resolve))
  clearTimeout(limit)
  for (const child of busy) stop(child)
  await new Promise<void>((resolve) => output.end(resolve))
  return { run, runs, exitCode, stopped, seconds: Math.round((Date.now() - startedAt) / 1000), counts: tapCounts(readFileSync(log, 'utf8')), log }
}

if (args !== undefined) {
  await runMain(async () => {
    const runs = boundedInteger(args.values.runs, 3, { name: 'runs', min: 1, max: 10 })
    const busy = boundedInteger(args.values.busy, 1, { name: 'busy', min: 0, max: 8 })
    const limitMinutes = boundedInteger(args.values['limit-minutes'], 40, { name: 'limit-minutes', min: 5, max: 120 })
    const whole = args.values.whole === true
    const logDir = mkdtempSync(join(tmpdir(), 'test-load-'))
    console.log(`${runs} run(s) of ${whole ? '`npm test`' : '`tap`'} with ${busy} core(s) kept busy, each stopped after ${limitMinutes} min; logs in ${logDir}`)
    const reports: RunReport[] = []
    for (let run = 1; run <= runs; run++) {
      const report = await oneRun(run, runs, { busy, whole, limitMs: limitMinutes * 60_000, logDir })
      reports.push(report)
      console.log(describeRun(report))
    }
    const failed = reports.filter((report) => !passed(report)).length
    console.log(failed === 0 ? `all ${runs} run(s) passed` : `${failed} of ${runs} run(s) failed`)
    return failed === 0
  })
}
