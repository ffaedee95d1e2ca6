import closeWithGrace from 'close-with-grace'
import { ConfigError } from './config.js'
import { RelayRefusedError } from './local/polling-relay.js'
import { startLocalRuntime } from './local/runtime.js'

/** `npm start`: the whole bot on this machine. Flags: --fresh (empty database), --force (see the relay). */
const flags = new Set(process.argv.slice(2))
try {
  const runtime = await startLocalRuntime({ fresh: flags.has('--fresh'), force: flags.has('--force') })
  process.stdout.write(['', 'Telegram bot running locally', ...runtime.summary.map((line) => `  ${line}`), '  Stop with Ctrl-C', ''].join('\n') + '\n')
  closeWithGrace({ delay: 30_000 }, async ({ err }) => {
    if (err !== undefined) runtime.app.log.error({ err }, 'stopping after an error')
    await runtime.close()
  })
} catch (error) {
  // A configuration or relay problem is one line for the developer; anything else keeps its stack.
  if (!(error instanceof ConfigError || error instanceof RelayRefusedError)) throw error
  process.stderr.write(`Cannot start: ${error.message}\n`)
  process.exitCode = 1
}
