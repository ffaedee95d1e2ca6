import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'
import { REPLIES } from '../src/commands/register.js'
import { withoutCoverage } from './support/child-process.js'

const root = resolve(import.meta.dirname, '..')
const tsx = join(root, 'node_modules', '.bin', 'tsx')

/** Runs a process to completion, collecting its output. */
function run (command: string, args: string[], options: { cwd: string, env?: NodeJS.ProcessEnv }): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: withoutCoverage({ ...process.env, ...options.env }) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    child.on('error', reject)
    child.on('close', (code) => { resolve({ code, stdout, stderr }) })
  })
}

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

  const chat = await run(tsx, [join(root, 'scripts/chat.ts'), '/register demo demo-token'], { cwd })
  t.equal(chat.code, 0, chat.stderr)
  t.match(chat.stdout, REPLIES.registered('demo'))

  const exited = new Promise<number | null>((resolve) => server.on('close', resolve))
  server.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM: a clean stop')
})

t.test('a malformed setting stops start-up with one line naming the variable', async (t) => {
  const result = await run(tsx, [join(root, 'src/server.ts')], { cwd: root, env: { PORT: 'eighty', TELEGRAM_BOT_TOKEN: '' } })
  t.equal(result.code, 1)
  t.equal(result.stderr.trim().split('\n').filter((line) => !/Warning|node >=22|upgrade|a\.co|trace-warnings|^$|versions published|will require/.test(line)).join('\n'), 'Cannot start: PORT is malformed: expected a port number 0–65535')
})
