/** A tiny local HTTP server standing in for the Bot API or the deployed API in script tests. */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  body: string
}

export interface Reply { status?: number, body?: unknown }

export interface FakeServer {
  url: string
  requests: ReceivedRequest[]
  close: () => Promise<void>
}

export async function startFakeServer (answer: (request: ReceivedRequest) => Reply): Promise<FakeServer> {
  const requests: ReceivedRequest[] = []
  const server = createServer((incoming, response) => {
    let body = ''
    incoming.on('data', (chunk: Buffer) => { body += chunk.toString() })
    incoming.on('end', () => {
      const request = { method: incoming.method ?? '', path: incoming.url ?? '', headers: incoming.headers, body }
      requests.push(request)
      const reply = answer(request)
      response.writeHead(reply.status ?? 200, { 'content-type': 'application/json' })
      response.end(JSON.stringify(reply.body ?? {}))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => { server.close(); await once(server, 'close') }
  }
}

export const TOKEN = '123456789:AAEexampleexampleexampleexample_1234'

type BotMethod = (params: Record<string, unknown>) => Reply

/** A Bot API method that succeeds with this result. */
export function answers (result: unknown): BotMethod {
  return () => ({ body: { ok: true, result } })
}

/** A fake Bot API: `/bot<TOKEN>/<method>` goes to the given methods, anything else is a 404. */
export async function startFakeBotApi (methods: Record<string, BotMethod>): Promise<FakeServer> {
  return await startFakeServer(({ path, body }) => {
    const method = path.startsWith(`/bot${TOKEN}/`) ? methods[path.slice(`/bot${TOKEN}/`.length)] : undefined
    if (method === undefined) return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } }
    return method(JSON.parse(body === '' ? '{}' : body) as Record<string, unknown>)
  })
}
