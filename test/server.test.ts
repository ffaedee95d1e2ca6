import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'
import { REPLIES } from '../src/commands/register.js'
import { runToCompletion, withoutCoverage, withoutNotices } from './support/child-process.js'
import { FILE_BUDGET_MS } from './support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.childProcesses)

const root = resolve(import.meta.dirname, '..')
const tsx = join(root, 'node_modules', '.bin', 'tsx')

function waitForOutput (child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => { reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms; got: ${output}`)) }, timeoutMs)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (pattern.test(output)) { clearTimeout(timer); resolve(output) }
    })
  })
}

t.test('npm start, then npm run chat -- "/register demo demo-token", as a newcomer would', async (t) => {
  // A fresh working directory: .data/ (database, runtime file) is created there, as in a clean clone.
  const cwd = await mkdtemp(join(tmpdir(), 'bot-start-'))
  t.teardown(async () => { await rm(cwd, { recursive: true, force: true }) })
  const env = { PORT: '0', LOG_LEVEL: 'warn', TELEGRAM_BOT_TOKEN: '', QUEUE_URL: '', DATABASE_CONNECTION_STRING: '' }
  const server = spawn(tsx, [join(root, 'src/server.ts')], { cwd, env: withoutCoverage({ ...process.env, ...env }) })
  t.teardown(() => { server.kill('SIGKILL') })
  const banner = await waitForOutput(server, /Stop with Ctrl-C/, 30_000)
  t.match(banner, /embedded emulator/)
  t.match(banner, /embedded SQLite at \.data\/local\.sqlite; demo accounts: demo/)

  const chat = await runToCompletion(tsx, [join(root, 'scripts/chat.ts'), '/register demo demo-token'], { cwd })
  t.equal(chat.code, 0, chat.stderr)
  t.match(chat.stdout, REPLIES.registered('demo'))

  const stopped = waitForOutput(server, /Telegram bot stopped \(SIGTERM\)\n/, 30_000)
  const exited = new Promise<number | null>((resolve) => server.on('close', resolve))
  server.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM: a clean stop')
  t.match(await stopped, /Telegram bot stopped \(SIGTERM\)\n$/, 'and one line that says so')
})

t.test('the start script stops with its server when the shell npm runs it in gets SIGTERM', async (t) => {
  // npm runs a script as `sh -c <script>` and passes a SIGTERM on to that shell only. The script must
  // `exec` tsx, so that the signal reaches tsx (which passes it to the server) instead of leaving them running.
  const script = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  // npm runs it in the package root; a scratch directory that links src/ keeps .data/ out of the repository.
  const cwd = await mkdtemp(join(tmpdir(), 'bot-npm-start-'))
  t.teardown(async () => { await rm(cwd, { recursive: true, force: true }) })
  await symlink(join(root, 'src'), join(cwd, 'src'))
  const env = { PORT: '0', LOG_LEVEL: 'warn', TELEGRAM_BOT_TOKEN: '', QUEUE_URL: '', DATABASE_CONNECTION_STRING: '', PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` }
  // Its own process group, to see whether anything of it is left once the shell is gone.
  const shell = spawn('sh', ['-c', script], { cwd, env: withoutCoverage({ ...process.env, ...env }), detached: true })
  const group = shell.pid as number
  const groupAlive = (): boolean => { try { process.kill(-group, 0); return true } catch { return false } }
  t.teardown(() => { if (groupAlive()) process.kill(-group, 'SIGKILL') })
  let output = await waitForOutput(shell, /Stop with Ctrl-C/, 30_000)
  shell.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  shell.kill('SIGTERM')
  const deadline = Date.now() + 10_000
  while (groupAlive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  t.notOk(groupAlive(), 'no process of it is left')
  t.match(output, /Telegram bot stopped \(SIGTERM\)\n$/, 'the server itself got the signal and stopped cleanly')
})

t.test('a malformed setting stops start-up with one line naming the variable', async (t) => {
  const result = await runToCompletion(tsx, [join(root, 'src/server.ts')], { cwd: root, env: { PORT: 'eighty', TELEGRAM_BOT_TOKEN: '' } })
  t.equal(result.code, 1)
  t.equal(withoutNotices(result.stderr), 'Cannot start: PORT is malformed: expected a port number 0–65535')
})
