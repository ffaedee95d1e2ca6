import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { TgUpdate } from './types.js'
import type { PendingUpdate, UpdateQueue } from './updates.js'

export interface WebhookTarget {
  url: string
  secretToken: string | undefined
  maxConnections: number
}

export interface WebhookDeliveryOptions {
  /** First retry delay after a failed delivery; doubles per failure of the same update. */
  initialDelayMs: number
  /** Cap of the retry delay (also caps a webhook's own `Retry-After`). */
  maxDelayMs: number
  /** How long a webhook request may take before it counts as failed. */
  timeoutMs: number
  log: (line: string) => void
  /** Runs a Bot API method that a webhook returned in its 2xx body, as Telegram does. */
  executeMethod: (method: string, params: Record<string, unknown>) => Promise<void>
}

type Outcome =
  | { delivered: true, body: string }
  | { delivered: false, error: string, retryAfterSeconds?: number }

interface Lane {
  inFlight?: AbortController
  retryTimer?: NodeJS.Timeout
  failures: number
  delayMs: number
}

/** Telegram's wording for connection failures in `last_error_message`. */
function connectionErrorMessage (error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED': return 'Connection refused'
    case 'ECONNRESET': return 'Connection reset by peer'
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return 'Failed to resolve host: Name or service not known'
    case 'ETIMEDOUT': return 'Read timeout expired'
    default: return error.message
  }
}

const MAX_RESPONSE_BYTES = 64 * 1024

/** One POST of an update, as Telegram sends it: JSON, the secret header when set, Basic auth from the URL's user info. */
async function post (target: WebhookTarget, update: TgUpdate, timeoutMs: number, signal: AbortSignal): Promise<Outcome> {
  const url = new URL(target.url)
  const body = JSON.stringify(update)
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body))
  }
  if (target.secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = target.secretToken
  if (url.username !== '') {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return await new Promise<Outcome>((resolve) => {
    const request = send(url, { method: 'POST', headers, agent: false, signal, timeout: timeoutMs }, (response: IncomingMessage) => {
      const chunks: Buffer[] = []
      let size = 0
      response.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk)
      })
      response.on('error', () => { resolve({ delivered: false, error: 'Webhook connection closed' }) })
      response.on('end', () => {
        const status = response.statusCode ?? 0
        if (status >= 200 && status <= 299) {
          resolve({ delivered: true, body: Buffer.concat(chunks).toString('utf8') })
          return
        }
        const retryAfter = Number(response.headers['retry-after'])
        resolve({
          delivered: false,
          error: `Wrong response from the webhook: ${status} ${response.statusMessage ?? ''}`.trimEnd(),
          ...(Number.isInteger(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {})
        })
      })
    })
    request.on('timeout', () => { request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })) })
    request.on('error', (error: NodeJS.ErrnoException) => { resolve({ delivered: false, error: connectionErrorMessage(error) }) })
    request.end(body)
  })
}

/** Methods a webhook's answer may not run (Telegram ignores them there). */
function runnableFromWebhookAnswer (method: string): boolean {
  const name = method.toLowerCase()
  return !name.startsWith('get') && !['setwebhook', 'deletewebhook', 'close', 'logout'].includes(name)
}

/**
 * Telegram's webhook delivery: each chat's updates strictly in order (the next one waits until
 * the previous got a 2xx), chats independent of each other up to `max_connections` requests at a
 * time, failures retried with a doubling delay and reported through last_error_date/_message.
 */
export class WebhookDelivery {
  lastErrorDate: number | undefined
  lastErrorMessage: string | undefined
  private target: WebhookTarget | undefined
  private readonly queue: UpdateQueue
  private readonly options: WebhookDeliveryOptions
  private lanes = new Map<string, Lane>()
  private inFlight = 0
  private stopped = false
  private readonly unsubscribe: () => void

  constructor (queue: UpdateQueue, options: WebhookDeliveryOptions) {
    this.queue = queue
    this.options = options
    this.unsubscribe = queue.changed.subscribe(() => { this.kick() })
  }

  get current (): WebhookTarget | undefined {
    return this.target
  }

  /** Sets, replaces (undefined: removes) the webhook. Deliveries in progress are abandoned; their updates stay queued. */
  configure (target: WebhookTarget | undefined): void {
    if (target?.url !== this.target?.url) {
      this.lastErrorDate = undefined
      this.lastErrorMessage = undefined
    }
    this.reset()
    this.target = target
    this.kick()
  }

  stop (): void {
    this.stopped = true
    this.reset()
    this.unsubscribe()
  }

  private reset (): void {
    for (const lane of this.lanes.values()) {
      lane.inFlight?.abort()
      clearTimeout(lane.retryTimer)
    }
    this.lanes = new Map()
    this.inFlight = 0
  }

  /** Starts a delivery for every lane whose first update is neither in flight nor waiting for a retry. */
  private kick (): void {
    const target = this.target
    if (target === undefined || this.stopped) return
    const seen = new Set<string>()
    for (const item of this.queue.all) {
      if (seen.has(item.lane)) continue
      seen.add(item.lane)
      const lane = this.lanes.get(item.lane)
      if (lane?.inFlight !== undefined || lane?.retryTimer !== undefined) continue
      if (this.inFlight >= target.maxConnections) return
      this.deliver(target, item, lane ?? { failures: 0, delayMs: 0 })
    }
  }

  private deliver (target: WebhookTarget, item: PendingUpdate, lane: Lane): void {
    const lanes = this.lanes
    const controller = new AbortController()
    lane.inFlight = controller
    lanes.set(item.lane, lane)
    this.inFlight++
    post(target, item.update, this.options.timeoutMs, controller.signal).then((outcome) => {
      // An abandoned delivery (webhook changed or removed, emulator closed) changes nothing.
      if (controller.signal.aborted || lanes !== this.lanes) return
      this.inFlight--
      lane.inFlight = undefined
      if (outcome.delivered) {
        lanes.delete(item.lane)
        this.options.log(`webhook: update ${item.update.update_id} delivered`)
        this.runAnswer(outcome.body)
        this.queue.remove(item)
      } else {
        this.fail(item, lane, outcome.error, outcome.retryAfterSeconds)
      }
      this.kick()
    }, /* c8 ignore next */ (error: unknown) => { this.options.log(`webhook: delivery crashed: ${String(error)}`) })
  }

  private fail (item: PendingUpdate, lane: Lane, error: string, retryAfterSeconds: number | undefined): void {
    this.lastErrorDate = Math.floor(Date.now() / 1000)
    this.lastErrorMessage = error
    lane.failures++
    lane.delayMs = lane.failures === 1 ? this.options.initialDelayMs : Math.min(lane.delayMs * 2, this.options.maxDelayMs)
    const delayMs = retryAfterSeconds === undefined ? lane.delayMs : Math.min(retryAfterSeconds * 1000, this.options.maxDelayMs)
    this.options.log(`webhook: update ${item.update.update_id} not delivered (${error}); retry ${lane.failures} in ${delayMs} ms`)
    lane.retryTimer = setTimeout(() => {
      lane.retryTimer = undefined
      this.kick()
    }, delayMs)
  }

  /** A 2xx body with a `method` field is a Bot API call, run as Telegram runs it (its result is not reported anywhere). */
  private runAnswer (body: string): void {
    let answer: unknown
    try {
      answer = JSON.parse(body)
    } catch {
      return
    }
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return
    const { method, ...params } = answer as Record<string, unknown>
    if (typeof method !== 'string' || method === '' || !runnableFromWebhookAnswer(method)) return
    this.options.log(`webhook: running ${method} from the webhook's answer`)
    this.options.executeMethod(method, params).catch(/* c8 ignore next */ () => {})
  }
}
