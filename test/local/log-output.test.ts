import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import pino from 'pino'
import t from 'tap'
import { register, REPLIES } from '../../src/commands/register.js'
import { ConfigError } from '../../src/config.js'
import { localLogDestination, logFormat, summariseMetrics } from '../../src/local/log-output.js'
import { loggerOptions } from '../../src/logger.js'
import { createBotMetrics } from '../../src/plugins/metrics.js'
import { runToCompletion, withoutCoverage } from '../support/child-process.js'
import { npmStartFailing } from '../support/npm-start.js'
import { within } from '../support/wait.js'

const root = resolve(import.meta.dirname, '..', '..')
const tsx = join(root, 'node_modules', '.bin', 'tsx')
const TOKEN = '7012345678:AAH-realLooking_token-0123456789abcdEF'
// eslint-disable-next-line no-control-regex
const withoutColours = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '')

t.setTimeout(120_000)

/** A terminal as far as the code can tell, that keeps what is written to it. */
function fakeTerminal (): { isTTY: true, write: (text: string) => boolean, text: () => string } {
  const written: string[] = []
  return { isTTY: true, write: (text) => { written.push(text); return true }, text: () => written.join('') }
}

t.test('LOG_FORMAT: pretty on a terminal, JSON on a pipe, either when asked; anything else is one line naming it', async (t) => {
  t.equal(logFormat({}, { isTTY: true, write: () => true }), 'pretty')
  t.equal(logFormat({ LOG_FORMAT: '' }, { write: () => true }), 'json')
  t.equal(logFormat({ LOG_FORMAT: 'json' }, { isTTY: true, write: () => true }), 'json')
  t.equal(logFormat({ LOG_FORMAT: 'pretty' }, { write: () => true }), 'pretty')
  t.throws(() => logFormat({ LOG_FORMAT: 'yaml' }, { write: () => true }), new ConfigError('LOG_FORMAT is malformed: expected json or pretty (unset: pretty on a terminal, json otherwise)'))
  t.equal(localLogDestination('json', fakeTerminal()), undefined, "JSON: pino's own stdout")
  const { code, line } = await npmStartFailing(t, { LOG_FORMAT: 'yaml' })
  t.equal(code, 1)
  t.equal(line, 'Cannot start: LOG_FORMAT is malformed: expected json or pretty (unset: pretty on a terminal, json otherwise)')
})

t.test('pretty lines keep the redactions, and an EMF line becomes one summary', async (t) => {
  const terminal = fakeTerminal()
  const destination = localLogDestination('pretty', terminal)
  const log = pino(loggerOptions('info', [TOKEN]), destination)
  log.info({ update: { message: { text: '/register demo demo-token' } } }, 'update queued')
  log.error({ err: new Error(`GET https://api.telegram.org/bot${TOKEN}/getMe failed`) }, 'unexpected')
  const metrics = createBotMetrics(log as never, {})
  metrics.commandOutcome(register, 'registered')
  metrics.updateAge(14)
  metrics.flush()
  const lines = withoutColours(terminal.text()).trimEnd().split('\n')
  t.match(lines[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: update queued \{"update":\{"message":\{"text":"\[redacted\]"\}\}\}$/)
  t.match(lines[1], /^\[\d\d:\d\d:\d\d\.\d{3}\] ERROR: unexpected $/)
  t.match(lines.slice(2, -2).join('\n'), /"message": "GET https:\/\/api\.telegram\.org\/bot\[redacted\]\/getMe failed"[\s\S]*"stack":[\s\S]*at /, 'an unexpected error keeps its (scrubbed) stack, below its line')
  t.match(lines.at(-2), /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: metrics: UpdateAge 14 Milliseconds \(service=telegram-register-bot-local\)$/)
  t.match(lines.at(-1), /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: metrics: CommandOutcome 1 \(service=telegram-register-bot-local, command=register, outcome=registered\)$/)
  t.notMatch(terminal.text(), /demo-token|AAH-realLooking|_aws/, 'no credential, no EMF object')
  t.ok(terminal.text().includes('\u001b['), 'coloured on a terminal')
  t.equal(summariseMetrics('{"level":30,"time":1,"msg":"metrics"}'), '{"level":30,"time":1,"msg":"metrics"}', 'a line named metrics without EMF stays as it is')
})

const hasScript = spawnSync('script', ['--version']).status === 0

t.test('npm start on a real terminal (a pseudo-terminal through script(1)): readable lines, metrics summarised', { skip: hasScript ? false : 'script (util-linux) is not installed' }, async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'bot-tty-'))
  t.teardown(async () => { await rm(cwd, { recursive: true, force: true }) })
  const env = { PORT: '0', LOG_LEVEL: 'info', TELEGRAM_BOT_TOKEN: '', QUEUE_URL: '', DATABASE_CONNECTION_STRING: '', LOG_FORMAT: '' }
  // script(1) runs the server in a session of its own, on the pseudo-terminal: killing script does not reach
  // it (left running, it was once found spinning a core after the suite). It is stopped as a person stops
  // it, with Ctrl-C on that terminal, and script is killed only if that did not end it.
  const terminal = spawn('script', ['-qfec', `${tsx} ${join(root, 'src/server.ts')}`, '/dev/null'], { cwd, env: withoutCoverage({ ...process.env, ...env }), detached: true })
  const closed = new Promise<void>((resolve) => { terminal.on('close', () => { resolve() }) })
  t.teardown(async () => {
    if (terminal.exitCode === null && terminal.signalCode === null) terminal.stdin.write('\x03')
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 15_000).unref())])
    try { process.kill(-(terminal.pid as number), 'SIGKILL') } catch {}
  })
  let output = ''
  terminal.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const until = async (pattern: RegExp): Promise<void> => {
    for (const deadline = Date.now() + 60_000; !pattern.test(withoutColours(output)); await new Promise((resolve) => setTimeout(resolve, 100))) {
      if (Date.now() > deadline) throw new Error(`no ${String(pattern)}; got: ${output}`)
    }
  }
  await until(/Stop with Ctrl-C/)
  const chat = await runToCompletion(tsx, [join(root, 'scripts/chat.ts'), '/register demo demo-token'], { cwd })
  t.match(chat.stdout, REPLIES.registered('demo'))
  await until(/INFO: metrics: /)
  const text = withoutColours(output)
  t.match(text, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Server listening at http:\/\/127\.0\.0\.1:\d+\r?$/m, "Fastify's listening line, readable")
  t.match(text, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: register: procedure answered \{.*"outcome":"registered"/m)
  t.match(text, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: metrics: CommandOutcome 1 \(service=telegram-register-bot-local, command=register, outcome=registered\)\r?$/m, 'the EMF line summarised')
  t.notMatch(text, /"level":|_aws|demo-token/, 'no JSON line, no EMF object, no token')

  terminal.stdin.write('\x03')
  await within(closed, 'the terminal to close after Ctrl-C', 30_000)
  t.match(withoutColours(output), /Telegram bot stopped \(SIGINT\)/, 'Ctrl-C on the terminal stops the server')
})
