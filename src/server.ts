import closeWithGrace from 'close-with-grace'
import { readCommandLine } from './command-line.js'
import { ConfigError } from './config.js'
import { scrubSecrets } from './logger.js'
import { localLogDestination, logFormat } from './local/log-output.js'
import { RelayRefusedError } from './local/polling-relay.js'
import { startLocalRuntime } from './local/runtime.js'
import { StartupError } from './errors.js'

const USAGE = `npm start: the whole bot on this machine, offline (webhook, worker, dead-letter handler), with whatever
is not configured embedded: an SQS emulator, SQLite under .data/, a Telegram Bot API emulator.
For the real AWS resources of a personal stage use \`npx sst dev --stage <name>\` (docs/deploy.md).

  npm start [-- options]

Options:
  --fresh      start with an empty embedded database
  --force      with a real TELEGRAM_BOT_TOKEN: delete that bot's webhook so that its updates can be relayed here
  -h, --help   this text

Settings are environment variables (README, Configuration): PORT (the emulator takes PORT + 1), HOST,
TELEGRAM_BOT_TOKEN, DATABASE_CONNECTION_STRING, QUEUE_URL, LOG_LEVEL, LOG_FORMAT (json or pretty), …`

/** The credentials this process was given, for scrubbing what it prints. */
const secretsFromEnvironment = (): string[] => ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'DATABASE_CONNECTION_STRING']
  .map((name) => process.env[name]).filter((value): value is string => value !== undefined && value !== '')

/** Start-up problems the developer fixes by changing a setting: one line each, no stack trace. */
const isOneLineProblem = (error: unknown): error is Error =>
  error instanceof ConfigError || error instanceof RelayRefusedError || error instanceof StartupError

const args = readCommandLine(process.argv.slice(2), {
  command: 'npm start',
  usage: USAGE,
  options: { fresh: { type: 'boolean', default: false }, force: { type: 'boolean', default: false } }
})
if (args !== undefined) {
  try {
    const logDestination = localLogDestination(logFormat(process.env, process.stdout), process.stdout)
    const runtime = await startLocalRuntime({ fresh: args.values.fresh, force: args.values.force, logDestination })
    process.stdout.write(['', 'Telegram bot running locally', ...runtime.summary.map((line) => `  ${line}`), '  Stop with Ctrl-C', ''].join('\n') + '\n')
    closeWithGrace({ delay: 30_000 }, async ({ err, signal }) => {
      if (err !== undefined) runtime.app.log.error({ err }, 'stopping after an error')
      await runtime.close()
      process.stdout.write(`Telegram bot stopped (${signal ?? 'after an error'})\n`)
    })
  } catch (error) {
    // Anything else is a bug and keeps its stack, but never a credential a client error may quote.
    const text = isOneLineProblem(error) ? `Cannot start: ${error.message}` : scrubSecrets(String((error as Error).stack ?? error), secretsFromEnvironment())
    process.stderr.write(`${text}\n`)
    process.exitCode = 1
  }
}
