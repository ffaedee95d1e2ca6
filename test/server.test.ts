import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'
import { REPLIES } from '../src/commands/register.js'
import { runToCompletion, withoutCoverage, withoutNotices } from './support/child-process.js'

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

t.test('a malformed setting stops start-up with one line naming the variable', async (t) => {
  const result = await runToCompletion(tsx, [join(root, 'src/server.ts')], { cwd: root, env: { PORT: 'eighty', TELEGRAM_BOT_TOKEN: '' } })
  t.equal(result.code, 1)
  t.equal(withoutNotices(result.stderr), 'Cannot start: PORT is malformed: expected a port number 0–65535')
})
