/**
 * Facts about a raw Telegram update, read without the Bot API library so that the webhook
 * can use them without loading it. An update is an object with `update_id` and one field
 * named after its type (message, callback_query, my_chat_member, …).
 */
export interface RawUpdate {
  update_id: number
  [field: string]: unknown
}

type Payload = Record<string, unknown>

/** The update's type: its one field besides `update_id` (Telegram adds new types over time). */
export function updateTypeOf (update: RawUpdate): string {
  return Object.keys(update).find((key) => key !== 'update_id') ?? 'unknown'
}

function payloadOf (update: RawUpdate): Payload | undefined {
  const payload = update[updateTypeOf(update)]
  return typeof payload === 'object' && payload !== null ? payload as Payload : undefined
}

function idOf (value: unknown): number | undefined {
  const id = (value as Payload | undefined)?.id
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined
}

/** The user who caused the update: `from` on messages, queries and member updates; `user` on reactions and poll answers. */
export function senderIdOf (update: RawUpdate): number | undefined {
  const payload = payloadOf(update)
  return idOf(payload?.from) ?? idOf(payload?.user)
}

/**
 * The chat the update belongs to: directly, as the anonymous voter of a poll answer (`voter_chat`),
 * or through the message a callback query is attached to.
 */
export function chatIdOf (update: RawUpdate): number | undefined {
  const payload = payloadOf(update)
  return idOf(payload?.chat) ?? idOf(payload?.voter_chat) ?? idOf((payload?.message as Payload | undefined)?.chat)
}

/**
 * Telegram's shared accounts that stand in as `from` for a sender who is not a person: an anonymous
 * group admin, a user posting as a channel, an automatic forward from a linked channel.
 */
export const SERVICE_ACCOUNT_IDS: ReadonlySet<number> = new Set([
  1087968824, // GroupAnonymousBot
  136817688, // Channel_Bot
  777000 // Telegram
])

/**
 * Whether the update comes from a person's own account: not on behalf of a chat (`sender_chat`), not an
 * automatic channel forward, not from a bot (Telegram's service accounts above included). Updates
 * without a sender are not a person's either.
 */
export function isFromOwnAccount (update: RawUpdate): boolean {
  const payload = payloadOf(update)
  const from = payload?.from as Payload | undefined
  const id = idOf(from) ?? idOf(payload?.user)
  if (id === undefined || SERVICE_ACCOUNT_IDS.has(id) || from?.is_bot === true) return false
  return payload?.sender_chat === undefined && payload?.is_automatic_forward !== true
}

/**
 * The SQS FIFO message group: one per user, so that each user's updates stay in order while
 * different users proceed in parallel; else (no sender, or a shared account every group's anonymous
 * admin writes as) one per chat; else one per update (never a constant, which would serialise every
 * such update behind each other).
 */
export function messageGroupIdOf (update: RawUpdate): string {
  const userId = isFromOwnAccount(update) ? senderIdOf(update) : undefined
  if (userId !== undefined) return `user-${userId}`
  const chatId = chatIdOf(update)
  if (chatId !== undefined) return `chat-${chatId}`
  return `update-${update.update_id}`
}
