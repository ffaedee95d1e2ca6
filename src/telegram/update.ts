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
 * The SQS FIFO message group: one per user, so that each user's updates stay in order while
 * different users proceed in parallel; else one per chat; else one per update (never a constant,
 * which would serialise every such update behind each other).
 */
export function messageGroupIdOf (update: RawUpdate): string {
  const userId = senderIdOf(update)
  if (userId !== undefined) return `user-${userId}`
  const chatId = chatIdOf(update)
  if (chatId !== undefined) return `chat-${chatId}`
  return `update-${update.update_id}`
}
