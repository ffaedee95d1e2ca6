import { createServer, type ServerResponse } from 'node:http'
import type { Test } from 'tap'
import { Notifier, waitFor } from '../../src/local/telegram-emulator/waiting.js'

/**
 * What the proxy does with one Bot API call: pass it on, never answer it, or answer it itself; or pass
 * it on and run `afterAnswer` once Telegram has answered, before the bot gets the answer (a fault
 * injected at that point of the protocol).
 */
export type BotApiRule = 'pass' | 'hang' | { status: number, body: unknown } | { afterAnswer: () => void }

export interface BotApiProxy {
  /** Use as TELEGRAM_API_ROOT. */
  url: string
  /** Calls left unanswered so far, by method. */
  hung: (method: string) => number
  /** Of those, the calls the bot gave up on (it closed the connection), by method. */
  abandoned: (method: string) => number
  /**
   * Resolves once `count` calls of `method` were abandoned: the proxy sees the bot close a connection
   * an event-loop turn or more after the bot gave up, so a test asserting right away (or after a
   * sleep) races that event. Rejects after `timeoutMs` saying how many were.
   */
  untilAbandoned: (method: string, count: number, timeoutMs?: number) => Promise<void>
}

/**
 * A real HTTP server between the bot and the Telegram emulator that decides per call (method and
 * parameters) whether Telegram answers: for faults that hit one chat or one method only, such as a
 * sendMessage that Telegram accepts and never answers. Closed (hung calls cut) when the test ends.
 */
export async function startBotApiProxy (t: Test, target: string, rule: (method: string, params: Record<string, unknown>) => BotApiRule): Promise<BotApiProxy> {
  const hanging = new Set<ServerResponse>()
  const hungByMethod = new Map<string, number>()
  const abandonedByMethod = new Map<string, number>()
  const abandonedChanged = new Notifier()
  let closing = false
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const method = (req.url ?? '').split('/').pop() ?? ''
      let params: Record<string, unknown> = {}
      try { params = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown> } catch {}
      const decision = rule(method, params)
      if (decision === 'hang') {
        hungByMethod.set(method, (hungByMethod.get(method) ?? 0) + 1)
        hanging.add(res)
        res.on('close', () => {
          hanging.delete(res)
          if (closing) return
          abandonedByMethod.set(method, (abandonedByMethod.get(method) ?? 0) + 1)
          abandonedChanged.notify()
        })
        return
      }
      if (decision !== 'pass' && !('afterAnswer' in decision)) {
        res.writeHead(decision.status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(decision.body))
        return
      }
      fetch(`${target}${req.url ?? ''}`, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, body: req.method === 'GET' ? undefined : body })
        .then(async (answer) => {
          const answerBody = Buffer.from(await answer.arrayBuffer())
          if (decision !== 'pass') decision.afterAnswer()
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
          res.end(answerBody)
        }, () => { res.destroy() })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    closing = true
    for (const res of hanging) res.destroy()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => { resolve() }))
  })
  const { port } = server.address() as { port: number }
  const abandoned = (method: string): number => abandonedByMethod.get(method) ?? 0
  return {
    url: `http://127.0.0.1:${port}`,
    hung: (method) => hungByMethod.get(method) ?? 0,
    abandoned,
    async untilAbandoned (method, count, timeoutMs = 5000) {
      const reached = await waitFor(abandonedChanged, () => abandoned(method) >= count ? true : undefined, timeoutMs)
      if (reached === undefined) throw new Error(`expected ${count} abandoned ${method} call(s) within ${timeoutMs} ms; got ${abandoned(method)} of ${hungByMethod.get(method) ?? 0} left unanswered`)
    }
  }
}
