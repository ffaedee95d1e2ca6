import { subscribe, unsubscribe } from 'node:diagnostics_channel'
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

/** The emulator's Bot API route (src/local/telegram-emulator/bot-api.ts), as Fastify names it. */
const BOT_API_ROUTE = '/bot:token/:method'

/**
 * Starts a long getUpdates (`start()`) and resolves once the emulator has it waiting: its handler runs
 * without an await up to the poll's wait (confirming the offset, terminating an older poll), so the
 * handler's return marks that point of the protocol (see handlerWaiting). A sleep instead races the
 * request's way in: a poll that arrives after the next step meets another state. The poll's promise
 * is returned inside an object, so that awaiting this does not await it.
 */
export async function waitingLongPoll<T> (start: () => Promise<T>): Promise<{ poll: Promise<T> }> {
  const waiting = handlerWaiting(BOT_API_ROUTE, (url) => /\/getUpdates(\?|$)/i.test(url))
  const poll = start()
  poll.catch(() => {})
  await waiting
  return { poll }
}

/**
 * Resolves once a Fastify handler of `route` in this process has run up to its first await: Fastify
 * publishes `tracing:fastify.request.handler:end` as the handler returns its promise, and a long
 * poll's handler (the emulator's chat polls and getUpdates) is waiting by then, as its handler reaches
 * the wait without an await. `matches` picks requests by URL. Call before sending the request.
 */
export async function handlerWaiting (route: string, matches: (url: string) => boolean = () => true, timeoutMs = 5000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onEnd = (message: unknown): void => {
      const { route: handled, request } = message as { route?: { url?: string }, request?: { url?: string } }
      if (handled?.url !== route || !matches(request?.url ?? '')) return
      finish()
      resolve()
    }
    const finish = (): void => {
      clearTimeout(timer)
      unsubscribe('tracing:fastify.request.handler:end', onEnd)
    }
    const timer = setTimeout(() => { finish(); reject(new Error(`no request reached ${route} within ${timeoutMs} ms`)) }, timeoutMs)
    subscribe('tracing:fastify.request.handler:end', onEnd)
  })
}
