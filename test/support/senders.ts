import type { UserMessageInput } from '../../src/local/telegram-emulator.js'

/**
 * Telegram's shared senders, as Telegram writes them in a group's messages: the sender fields of a
 * UserMessageInput. `chat` is the group, `channel` a channel linked to it or posted as.
 */
type Sender = Pick<UserMessageInput, 'from' | 'sender_chat' | 'is_automatic_forward'>

export const channel = { id: -1009876543210, type: 'channel' as const, title: 'Announcements' }

export function anonymousAdmin (group: { id: number, type: 'group' | 'supergroup', title: string }): Sender {
  return { from: { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' }, sender_chat: { ...group } }
}

export const postedAsChannel: Sender = { from: { id: 136817688, is_bot: true, first_name: 'Channel', username: 'Channel_Bot' }, sender_chat: channel }

export const automaticForward: Sender = { from: { id: 777000, first_name: 'Telegram' }, sender_chat: channel, is_automatic_forward: true }

export const someBot: Sender = { from: { id: 5550001, is_bot: true, first_name: 'Other', username: 'other_helper_bot' } }
