import { randomInt } from 'node:crypto'
import { BotApiError } from './errors.js'
import type { TgUpdate } from './types.js'
import { Notifier, waitFor } from './waiting.js'

/** Update types Telegram sends only when `allowed_updates` names them. */
const OPT_IN_UPDATE_TYPES = new Set(['chat_member', 'message_reaction', 'message_reaction_count'])

export interface PendingUpdate {
  update: TgUpdate
  /** Updates of one lane (a chat) are delivered strictly in order. */
  lane: string
}

function updateTypeOf (update: TgUpdate): string {
  return Object.keys(update).find((key) => key !== 'update_id') ?? 'unknown'
}

function idOf (value: unknown): number | undefined {
  const id = (value as { id?: unknown } | undefined)?.id
  return typeof id === 'number' ? id : undefined
}

/** The chat an update belongs to (directly, or through the message of a callback query), else its sender. */
function laneOf (update: TgUpdate): string {
  const payload = update[updateTypeOf(update)] as Record<string, unknown> | undefined
  const chatId = idOf(payload?.chat) ?? idOf((payload?.message as Record<string, unknown> | undefined)?.chat)
  if (chatId !== undefined) return `chat:${chatId}`
  const userId = idOf(payload?.from) ?? idOf(payload?.user)
  return userId !== undefined ? `user:${userId}` : `update:${update.update_id}`
}

/**
 * The bot's queue of unconfirmed updates, shared by webhook delivery and getUpdates (as Telegram's
 * is: whatever is not delivered stays here, and pending_update_count is its size).
 */
export class UpdateQueue {
  readonly changed = new Notifier()
  /** Types named by the last setWebhook/getUpdates `allowed_updates`; undefined = Telegram's default. */
  allowedUpdates: string[] | undefined
  private items: PendingUpdate[] = []
  /** Updates Telegram would never have sent the bot, and why (the chat CLI says so instead of waiting). */
  private readonly withheldUpdates = new Map<number, string>()
  private lastUpdateId: number

  constructor () {
    // Telegram's update ids start from an arbitrary number; tests must not assume a base.
    this.lastUpdateId = randomInt(100_000_000, 900_000_000)
  }

  nextUpdateId (): number {
    return ++this.lastUpdateId
  }

  /** Whether the current `allowed_updates` lets an update of this type through. */
  allows (update: TgUpdate): boolean {
    const type = updateTypeOf(update)
    return this.allowedUpdates === undefined || this.allowedUpdates.length === 0
      ? !OPT_IN_UPDATE_TYPES.has(type)
      : this.allowedUpdates.includes(type)
  }

  /** Queues an update; one that `allowed_updates` excludes is dropped, as Telegram never produces it. */
  push (update: TgUpdate): boolean {
    if (!this.allows(update)) {
      this.withhold(update.update_id, `its type ${updateTypeOf(update)} is not in the webhook's allowed_updates`)
      return false
    }
    this.items.push({ update: structuredClone(update), lane: laneOf(update) })
    this.changed.notify()
    return true
  }

  /** Records an update that is not delivered (privacy mode, allowed_updates). */
  withhold (updateId: number, reason: string): void {
    this.withheldUpdates.set(updateId, reason)
  }

  withheldReason (updateId: number): string | undefined {
    return this.withheldUpdates.get(updateId)
  }

  get size (): number {
    return this.items.length
  }

  get all (): readonly PendingUpdate[] {
    return this.items
  }

  remove (item: PendingUpdate): void {
    const index = this.items.indexOf(item)
    if (index === -1) return
    this.items.splice(index, 1)
    this.changed.notify()
  }

  /** getUpdates' confirmation: updates with an id below `offset` are forgotten. */
  confirmBelow (offset: number): void {
    this.items = this.items.filter((item) => item.update.update_id >= offset)
    this.changed.notify()
  }

  /** getUpdates with a negative offset: all but the last `count` updates are forgotten. */
  keepLast (count: number): void {
    this.items = this.items.slice(Math.max(0, this.items.length - count))
    this.changed.notify()
  }

  clear (): void {
    this.items = []
    this.changed.notify()
  }
}

export const CONFLICT_OTHER_GET_UPDATES = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'
export const CONFLICT_SET_WEBHOOK = 'Conflict: terminated by setWebhook request'
export const CONFLICT_WEBHOOK_ACTIVE = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"

export interface GetUpdatesRequest {
  offset: number
  limit: number
  timeoutSeconds: number
  allowedUpdates: string[] | undefined
}

/**
 * getUpdates with Telegram's semantics: `offset` confirms, a long poll answers as soon as an update
 * is queued or after `timeout` seconds, and a newer long poll terminates the one still waiting
 * (which gets a 409, as the Bot API server does it).
 */
export class LongPolling {
  private readonly queue: UpdateQueue
  private current: AbortController | undefined

  constructor (queue: UpdateQueue) {
    this.queue = queue
  }

  async getUpdates (request: GetUpdatesRequest, signal: AbortSignal): Promise<TgUpdate[]> {
    if (request.allowedUpdates !== undefined) this.queue.allowedUpdates = request.allowedUpdates
    if (request.offset < 0) this.queue.keepLast(-request.offset)
    else if (request.offset > 0) this.queue.confirmBelow(request.offset)

    const ready = (): TgUpdate[] | undefined => {
      const updates = this.queue.all.slice(0, request.limit).map((item) => structuredClone(item.update))
      return updates.length > 0 ? updates : undefined
    }
    const now = ready()
    if (now !== undefined || request.timeoutSeconds === 0) return now ?? []

    this.terminate(CONFLICT_OTHER_GET_UPDATES)
    const mine = new AbortController()
    this.current = mine
    const onClientGone = (): void => { mine.abort() }
    signal.addEventListener('abort', onClientGone, { once: true })
    try {
      const updates = await waitFor(this.queue.changed, ready, request.timeoutSeconds * 1000, mine.signal)
      const reason: unknown = mine.signal.reason
      if (updates === undefined && reason instanceof BotApiError) throw reason
      return updates ?? []
    } finally {
      signal.removeEventListener('abort', onClientGone)
      if (this.current === mine) this.current = undefined
    }
  }

  /** Ends the waiting long poll, if any, with a 409 carrying `conflict`. */
  terminate (conflict: string): void {
    this.current?.abort(new BotApiError(409, conflict))
    this.current = undefined
  }

  /** Ends the waiting long poll, if any, with an empty result (the emulator is closing). */
  release (): void {
    this.current?.abort()
    this.current = undefined
  }
}
