import { EmulatorInputError } from './errors.js'
import type { TgChat, TgMessage } from './types.js'
import { Notifier } from './waiting.js'

interface StoredMessage {
  message: TgMessage
  deleted: boolean
}

interface ChatRecord {
  chat: TgChat
  lastMessageId: number
  messages: StoredMessage[]
  /** Ids in the order they were deleted. */
  deleted: number[]
}

/** Everything the emulator knows about chats: their messages (user's and bot's), deletions, the bot's rights. */
export class ChatStore {
  /** Fires on every new message and deletion. */
  readonly changed = new Notifier()
  private readonly chats = new Map<number, ChatRecord>()
  private readonly botCanDelete = new Map<number, boolean>()
  /** The emulated bot's user id: its messages are the bot's (other senders may be bots too). */
  private readonly botId: number

  constructor (botId: number) {
    this.botId = botId
  }

  /** Creates the chat on first sight; a changed group title is kept. A chat id never changes its type. */
  upsert (chat: TgChat): TgChat {
    const known = this.chats.get(chat.id)
    if (known === undefined) {
      this.chats.set(chat.id, { chat: { ...chat }, lastMessageId: 0, messages: [], deleted: [] })
      return { ...chat }
    }
    if (known.chat.type !== chat.type) throw new EmulatorInputError(`chat ${chat.id} is a ${known.chat.type} chat, not a ${chat.type} chat`)
    Object.assign(known.chat, chat)
    return { ...known.chat }
  }

  get (chatId: number): TgChat | undefined {
    const chat = this.chats.get(chatId)?.chat
    return chat === undefined ? undefined : { ...chat }
  }

  /** A chat by its public `@username` (private chats carry the user's username). */
  findByUsername (username: string): TgChat | undefined {
    const wanted = username.replace(/^@/, '').toLowerCase()
    for (const { chat } of this.chats.values()) {
      if (chat.username?.toLowerCase() === wanted) return { ...chat }
    }
    return undefined
  }

  /** Adds a message with the chat's next message_id (ids are per chat, increasing). */
  add (chatId: number, build: (messageId: number) => TgMessage): TgMessage {
    const record = this.recordOf(chatId)
    record.lastMessageId++
    const message = build(record.lastMessageId)
    record.messages.push({ message, deleted: false })
    this.changed.notify()
    return structuredClone(message)
  }

  /** Records a message made elsewhere (a hand-made update) under its own id, once. */
  record (message: TgMessage): void {
    const record = this.recordOf(message.chat.id)
    if (record.messages.some((entry) => entry.message.message_id === message.message_id)) return
    record.messages.push({ message: structuredClone(message), deleted: false })
    record.lastMessageId = Math.max(record.lastMessageId, message.message_id)
    this.changed.notify()
  }

  /** A message still present in the chat. */
  find (chatId: number, messageId: number): TgMessage | undefined {
    const stored = this.chats.get(chatId)?.messages.find((entry) => entry.message.message_id === messageId && !entry.deleted)
    return stored === undefined ? undefined : structuredClone(stored.message)
  }

  /** Replaces a message still present in the chat by `change` of it; undefined when there is none. */
  edit (chatId: number, messageId: number, change: (message: TgMessage) => TgMessage): TgMessage | undefined {
    const stored = this.chats.get(chatId)?.messages.find((entry) => entry.message.message_id === messageId && !entry.deleted)
    if (stored === undefined) return undefined
    stored.message = change(stored.message)
    this.changed.notify()
    return structuredClone(stored.message)
  }

  delete (chatId: number, messageId: number): void {
    const record = this.recordOf(chatId)
    const stored = record.messages.find((entry) => entry.message.message_id === messageId && !entry.deleted)
    if (stored === undefined) return
    stored.deleted = true
    record.deleted.push(messageId)
    this.changed.notify()
  }

  /** Every message of the chat, deleted ones included, in order. */
  messages (chatId: number): TgMessage[] {
    return (this.chats.get(chatId)?.messages ?? []).map((entry) => structuredClone(entry.message))
  }

  /** The last bot (not a person, not on behalf of a chat) that wrote in the chat before the given message. */
  lastBotSenderBefore (chatId: number, messageId: number): number | undefined {
    const messages = this.chats.get(chatId)?.messages ?? []
    for (let index = messages.length - 1; index >= 0; index--) {
      const { message } = messages[index] as StoredMessage
      if (message.message_id < messageId && message.from?.is_bot === true && message.sender_chat === undefined) return message.from.id
    }
    return undefined
  }

  botMessages (chatId: number): TgMessage[] {
    return this.messages(chatId).filter((message) => message.from?.id === this.botId)
  }

  deletedIds (chatId: number): number[] {
    return [...(this.chats.get(chatId)?.deleted ?? [])]
  }

  setBotCanDelete (chatId: number, canDelete: boolean): void {
    this.botCanDelete.set(chatId, canDelete)
  }

  botCanDeleteIn (chatId: number): boolean {
    return this.botCanDelete.get(chatId) ?? false
  }

  private recordOf (chatId: number): ChatRecord {
    const record = this.chats.get(chatId)
    if (record === undefined) throw new EmulatorInputError(`unknown chat ${chatId}`)
    return record
  }
}
