/**
 * Per-file time budgets: tap's per-file timeout, set with `t.setTimeout(FILE_BUDGET_MS.<kind>)` at the
 * top of each file that starts real parts; it counts from the call, which runs only once the file's
 * imports have loaded. Loading them (TypeScript compiled on the fly, the AWS SDK, Fastify) took 58 s
 * for one file alone and over 120 s with two files at a time and one core busy, on this machine shared
 * at load 24-27: every file, light ones too, starts with the floor set in package.json (`tap.timeout`:
 * 300 s; tap's default of 30 s stopped files before their first test).
 * A budget is what a file may take on a busy machine before it is stopped: the
 * suite must pass with one core kept busy by another process (`npm run test:load`, README "Tests")
 * while `tap` runs two files at a time. Measured on this project's 2-core machine: each figure below
 * is the longest time the heaviest file of its kind took in a whole-suite run, with one core busy
 * and other work loading the machine (load average 6–19); the budget is five to ten times that, so
 * only a hang (which each wait inside the file reports sooner, with its own message) runs it out.
 *
 * Numbers production runs by are in infra/settings.ts; these only bound the tests.
 */
export const FILE_BUDGET_MS = {
  /**
   * Builds Lambda bundles with esbuild and loads them in fresh Node processes, on this Node and on
   * Lambda's Node 24 (test/infra/bundles.test.ts: 12 bundles, ~25 processes; 20 s alone, 34 s
   * loaded, when the 30 s default stopped it mid-case).
   */
  lambdaBundles: 600_000,
  /**
   * Runs sst.config.ts under Pulumi mocks in a child Node process per stage, each bundled with esbuild
   * first (test/infra/stages.test.ts: 30 s loaded, stopped by the 30 s default; sst-config: 18 s).
   */
  mockDeployments: 600_000,
  /** Starts `npm start`, the npm scripts or the server as real child processes (tsx compiling each): up to 28 s loaded. */
  childProcesses: 300_000,
  /**
   * Runs the local runtime or the reliability pipeline (Telegram emulator, fauxqs, dynalite, pollers),
   * with real visibility timeouts, backoffs and deadlines of seconds each: up to 38 s loaded
   * (test/scripts/chat.test.ts), 58 s for test/local/runtime.test.ts with one core busy and load 14.
   */
  localRuntime: 300_000,
  /** Starts in-process emulators (dynalite, fauxqs, the TDS responder, the Telegram emulator) without the runtime: up to 7 s loaded. */
  inProcessServices: 180_000
} as const
