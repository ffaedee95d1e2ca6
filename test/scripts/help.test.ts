/** `--help` and unknown flags, for every npm script of ours and `npm start`, run as npm runs them. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { TOKEN } from './fake-http.js'
import { runToCompletion } from '../support/child-process.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.childProcesses)

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

async function run (command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null, output: string }> {
  const result = await runToCompletion(command, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } })
  return { code: result.code, output: result.stdout + result.stderr }
}

/** Every npm script of ours, as npm runs it, and the command a user types for its help. */
const ENTRIES: Array<{ name: string, command: string, args: string[] }> = [
  { name: 'npm start', command: process.execPath, args: ['--import', 'tsx', 'src/server.ts'] },
  { name: 'npm run chat', command: process.execPath, args: ['--import', 'tsx', 'scripts/chat.ts'] },
  { name: 'npm run telegram:setup', command: process.execPath, args: ['--import', 'tsx', 'scripts/telegram-setup.ts'] },
  { name: 'npm run telegram:info', command: process.execPath, args: ['--import', 'tsx', 'scripts/telegram-info.ts'] },
  { name: 'npm run smoke', command: process.execPath, args: ['--import', 'tsx', 'scripts/smoke.ts'] },
  { name: 'npm run bench', command: process.execPath, args: ['--import', 'tsx', 'bench/run.ts'] },
  { name: 'npm run db:verify', command: process.execPath, args: ['--import', 'tsx', 'scripts/db-verify.ts'] },
  { name: 'npm run test:load', command: process.execPath, args: ['--import', 'tsx', 'scripts/test-load.ts'] },
  { name: 'npm run sst:install', command: 'bash', args: ['scripts/sst-install.sh'] },
  { name: 'npm run node:install', command: 'bash', args: ['scripts/node-install.sh'] }
]

t.test('every script and npm start answer --help with a usage and exit 0, doing nothing else', async (t) => {
  const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts)
  // The rest run a tool that has its own --help (tsc, eslint, tap).
  const ours = scripts.filter((name) => !['test', 'typecheck', 'lint', 'typecheck:sst'].includes(name)).map((name) => name === 'start' ? 'npm start' : `npm run ${name}`)
  t.same(ours.sort(), ENTRIES.map((entry) => entry.name).sort(), 'every npm script of ours is covered here')
  await Promise.all(ENTRIES.map(async (entry) => {
    // A token in the environment would make a script that ignored --help call Telegram: it must not get that far.
    const { code, output } = await run(entry.command, [...entry.args, '--help'], { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: 'http://127.0.0.1:9' })
    t.equal(code, 0, `${entry.name} -- --help exits 0`)
    t.ok(output.includes(entry.name.replace(/^npm run /, '')) && /-h, --help/.test(output), `${entry.name} -- --help prints its usage`, { output })
    t.notMatch(output, /^(error:|Cannot start)/m, `${entry.name} -- --help does nothing else`)
  }))
})

t.test('an unknown flag stops every script with one line naming it', async (t) => {
  await Promise.all(ENTRIES.map(async (entry) => {
    const { code, output } = await run(entry.command, [...entry.args, '--bogus-flag'], { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: 'http://127.0.0.1:9' })
    t.equal(code, 1, `${entry.name}: exit 1`)
    t.equal(output.trim(), `error: unknown option --bogus-flag (${entry.name} -- --help lists the options)`, entry.name)
  }))
})
