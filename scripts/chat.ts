/** `npm run chat`: a terminal chat as a Telegram user against the local runtime's Telegram emulator. */
import { main } from './lib/chat-cli.js'

process.exitCode = await main(process.argv.slice(2), {
  out: (line) => { process.stdout.write(`${line}\n`) },
  err: (line) => { process.stderr.write(`${line}\n`) }
}, { streams: { input: process.stdin, output: process.stdout } })
