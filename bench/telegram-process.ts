/**
 * The Telegram emulator and the load driver in a process of their own (started by pipeline.ts with
 * `fork`), so that the local runtime's process does only the bot's work, as it would against the
 * real Telegram. Talks to the parent over the IPC channel.
 */
import { startTelegramEmulator } from '../src/local/telegram-emulator.js'
import { run, type PipelineRun } from './pipeline-driver.js'

export type ToTelegram =
  | { type: 'webhook', url: string, secretToken: string }
  | { type: 'run', firstUserId: number, users: number, messagesPerUser: number, timeoutMs: number }
export type FromTelegram =
  | { type: 'ready', token: string, url: string, botUsername: string }
  | { type: 'done', run?: PipelineRun }
  | { type: 'failed', message: string }

const emulator = await startTelegramEmulator({ botUsername: 'bench_split_bot' })
const send = (message: FromTelegram): void => { process.send?.(message) }

process.on('message', (message: ToTelegram) => {
  (async () => {
    if (message.type === 'webhook') {
      await emulator.setWebhook({ url: message.url, secretToken: message.secretToken })
      send({ type: 'done' })
      return
    }
    send({ type: 'done', run: await run(emulator, message.firstUserId, message.users, message.messagesPerUser, message.timeoutMs) })
  })().catch((error: unknown) => { send({ type: 'failed', message: (error as Error).message }) })
})
process.on('disconnect', () => { emulator.close().finally(() => process.exit(0)) })
send({ type: 'ready', token: emulator.token, url: emulator.url, botUsername: emulator.botUsername })
