/**
 * The Telegram objects the emulator produces, reduced to the fields it fills. They are shaped as the
 * Bot API documents them, so a real client (Telegraf) can read them; the emulator does not depend on
 * a client library's types.
 */

export interface TgUser {
  id: number
  is_bot: boolean
  first_name: string
  last_name?: string
  username?: string
  language_code?: string
}

/** What `getMe` returns: the bot as a user, with the bot-only capability flags. */
export interface TgBotUser extends TgUser {
  is_bot: true
  username: string
  can_join_groups: boolean
  can_read_all_group_messages: boolean
  supports_inline_queries: boolean
}

export type ChatType = 'private' | 'group' | 'supergroup'

/** The chat a message was sent on behalf of: a channel, or the group itself for an anonymous admin. */
export interface TgSenderChat {
  id: number
  type: 'channel' | 'group' | 'supergroup'
  title: string
}

/** A photo as one size of it (the emulator stores no file). */
export interface TgPhotoSize {
  file_id: string
  file_unique_id: string
  width: number
  height: number
}

export interface TgChat {
  id: number
  type: ChatType
  title?: string
  username?: string
  first_name?: string
  last_name?: string
}

export interface TgMessageEntity {
  type: string
  offset: number
  length: number
}

export interface TgMessage {
  message_id: number
  from?: TgUser
  chat: TgChat
  date: number
  sender_chat?: TgSenderChat
  is_automatic_forward?: true
  text?: string
  entities?: TgMessageEntity[]
  photo?: TgPhotoSize[]
  caption?: string
  caption_entities?: TgMessageEntity[]
  reply_to_message?: TgMessage
  /** When the message was last edited (Unix time). */
  edit_date?: number
}

/** Any update: `update_id` and one field named after its type. */
export interface TgUpdate {
  update_id: number
  [field: string]: unknown
}

/** The update the emulator builds for a user's text message. */
export interface MessageUpdate extends TgUpdate {
  message: TgMessage
}

/** The update the emulator builds when a user edits a message of theirs. */
export interface EditedMessageUpdate extends TgUpdate {
  edited_message: TgMessage
}

/** A user's edit: the new text of a text message, or the new caption of a photo. */
export interface UserEditInput {
  chat_id: number
  message_id: number
  text: string
}

export interface TgBotCommand {
  command: string
  description: string
}

export interface TgWebhookInfo {
  url: string
  has_custom_certificate: boolean
  pending_update_count: number
  last_error_date?: number
  last_error_message?: string
  max_connections?: number
  allowed_updates?: string[]
}

/** The Bot API's answer, as sent on the wire. */
export type BotApiResponse =
  | { ok: true, result: unknown, description?: string }
  | { ok: false, error_code: number, description: string, parameters?: { retry_after?: number, migrate_to_chat_id?: number } }

/** One Bot API call as the emulator saw and answered it. */
export interface BotApiCall {
  /** The method's canonical name (`sendMessage`), or the name as requested when it is unknown. */
  method: string
  /** The parameters as received: JSON values from JSON bodies, strings from forms and query strings. */
  params: Record<string, unknown>
  /** When the call arrived (ms since the epoch). */
  at: number
  /** The HTTP status of the answer (200, or the error code). */
  status: number
  response: BotApiResponse
  /** `http` for requests to /bot<token>/…; `webhook-response` for a method returned in a webhook's 2xx body. */
  source: 'http' | 'webhook-response'
}

/** A failure to inject into the next calls of a method. */
export type TelegramFault =
  | { error_code: 429, retry_after: number, description?: string }
  | { error_code: number, description?: string }

/**
 * What a test or the chat CLI sends as a user: a text, or a photo with a caption. Telegram's own
 * senders are written the same way: an anonymous admin is `from` GroupAnonymousBot (1087968824, a bot)
 * with the group as `sender_chat`; a post as a channel is `from` Channel_Bot (136817688) with the channel
 * as `sender_chat`; an automatic forward is `from` Telegram (777000) with `is_automatic_forward`.
 */
export interface UserMessageInput {
  /** Defaults to the private chat with `from`. In a private chat the id must equal `from.id` (defaults to it). */
  chat?: { id?: number, type: ChatType, title?: string }
  from: { id: number, first_name: string, last_name?: string, username?: string, language_code?: string, is_bot?: boolean }
  /** Only in groups. */
  sender_chat?: TgSenderChat
  /** Only in groups, with a `sender_chat`. */
  is_automatic_forward?: true
  /** Exactly one of `text` and `caption` (a photo's caption). */
  text?: string
  caption?: string
  /** Makes the message a reply to an earlier message of the same chat. */
  reply_to_message_id?: number
}
