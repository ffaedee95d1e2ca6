import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { Test } from 'tap'
import { startTelegramEmulator, type TelegramEmulator, type TelegramEmulatorOptions, type TgUpdate } from '../../src/local/telegram-emulator.js'

/** The Telegram emulator as the tests' fake Bot API: a free port, fast webhook retries, closed when the test ends. */
export async function startFakeTelegram (t: Test, options: TelegramEmulatorOptions = {}): Promise<TelegramEmulator> {
  const emulator = await startTelegramEmulator({ webhookRetry: { initialDelayMs: 10, maxDelayMs: 40 }, ...options })
  t.teardown(async () => { await emulator.close() })
  return emulator
}

export interface WebhookRequest {
  headers: IncomingHttpHeaders
  update: TgUpdate
}

export interface WebhookAnswer {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface WebhookReceiver {
  url: string
  /** Every request received, in arrival order. */
  requests: WebhookRequest[]
}

/** A real HTTP server standing in for the bot's webhook; `answer` decides each response (default 200). */
export async function startWebhookReceiver (t: Test, answer: (request: WebhookRequest) => WebhookAnswer | Promise<WebhookAnswer> = () => ({ status: 200 })): Promise<WebhookReceiver> {
  const requests: WebhookRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      let update: TgUpdate
      try {
        update = JSON.parse(Buffer.concat(chunks).toString('utf8')) as TgUpdate
      } catch {
        res.writeHead(400)
        res.end()
        return
      }
      const request = { headers: req.headers, update }
      requests.push(request)
      Promise.resolve(answer(request)).then((reply) => {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body))
      }, () => {
        res.writeHead(500)
        res.end()
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => { resolve() }))
  })
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}/telegram/webhook`, requests }
}
