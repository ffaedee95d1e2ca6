import type { Convenience } from 'telegraf/types'

/**
 * Telegram's update types, as the Bot API library knows them: the type checker holds this list to
 * Telegraf's own union both ways, so a Telegraf upgrade with a new type fails `tsc` until it is here.
 */
export const UPDATE_TYPES = [
  'message', 'edited_message', 'channel_post', 'edited_channel_post', 'message_reaction', 'message_reaction_count',
  'inline_query', 'chosen_inline_result', 'callback_query', 'shipping_query', 'pre_checkout_query', 'poll',
  'poll_answer', 'my_chat_member', 'chat_member', 'chat_join_request', 'chat_boost', 'removed_chat_boost'
] as const satisfies readonly Convenience.UpdateType[]

export type UpdateType = typeof UPDATE_TYPES[number]

/** Compiles only while nothing is missing above: a type Telegraf knows and the list lacks breaks `tsc` here. */
type Nothing<T extends never> = T
export type UnlistedUpdateTypes = Nothing<Exclude<Convenience.UpdateType, UpdateType>>

export function isUpdateType (value: unknown): value is UpdateType {
  return (UPDATE_TYPES as readonly unknown[]).includes(value)
}
