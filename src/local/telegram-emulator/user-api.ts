import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import type { ChatStore } from './chats.js'
import { EmulatorInputError } from './errors.js'
import { detectEntities } from './text.js'
import type { EditedMessageUpdate, MessageUpdate, TgBotUser, TgChat, TgMessage, TgUpdate, TgUser, UserEditInput, UserMessageInput } from './types.js'
import type { UpdateStatus } from './processing.js'
import { withheldByPrivacyMode } from './privacy.js'
import type { UpdateQueue } from './updates.js'
import { waitFor } from './waiting.js'

const UserSchema = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  first_name: Type.String({ minLength: 1, maxLength: 64 }),
  last_name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  username: Type.Optional(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{4,31}$' })),
  language_code: Type.Optional(Type.String({ minLength: 2, maxLength: 35 })),
  is_bot: Type.Optional(Type.Boolean())
}, { additionalProperties: false })

const SenderChatSchema = Type.Object({
  id: Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: -1 }),
  type: Type.Union([Type.Literal('channel'), Type.Literal('group'), Type.Literal('supergroup')]),
  title: Type.String({ minLength: 1, maxLength: 128 })
}, { additionalProperties: false })

const ChatSchema = Type.Object({
  id: Type.Optional(Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER })),
  type: Type.Union([Type.Literal('private'), Type.Literal('group'), Type.Literal('supergroup')]),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 128 }))
}, { additionalProperties: false })

/** A user's text message, as tests and the chat CLI send it. */
export const UserMessageSchema = Type.Object({
  chat: Type.Optional(ChatSchema),
  from: UserSchema,
  sender_chat: Type.Optional(SenderChatSchema),
  is_automatic_forward: Type.Optional(Type.Literal(true)),
  text: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  caption: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  reply_to_message_id: Type.Optional(Type.Integer({ minimum: 1 }))
}, { additionalProperties: false })

const checkUserMessage = Compile(UserMessageSchema)

/** A user's edit of a message of theirs, as tests and the chat CLI send it. */
export const UserEditSchema = Type.Object({
  chat_id: Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
  message_id: Type.Integer({ minimum: 1 }),
  text: Type.String({ minLength: 1, maxLength: 4096 })
}, { additionalProperties: false })

const checkUserEdit = Compile(UserEditSchema)

const DEFAULT_GROUP_TITLE = 'Local group'
/** The one photo every captioned message carries. */
const PHOTO = [{ file_id: 'emulator-photo', file_unique_id: 'emulator-photo', width: 320, height: 240 }]
const MAX_CHAT_POLL_SECONDS = 60

function now (): number {
  return Math.floor(Date.now() / 1000)
}

export interface UserSideContext {
  bot: TgBotUser
  /** Whether the bot runs in Telegram's privacy mode (getMe's can_read_all_group_messages is its opposite). */
  privacyMode: boolean
  chats: ChatStore
  queue: UpdateQueue
  log: (line: string) => void
}

/** A text with its entities, or a photo with its caption and the caption's entities. */
function contentOf (input: Pick<UserMessageInput, 'text' | 'caption'>): Pick<TgMessage, 'text' | 'entities' | 'photo' | 'caption' | 'caption_entities'> {
  if ((input.text === undefined) === (input.caption === undefined)) throw new EmulatorInputError('invalid user message: give either text or caption')
  const written = (input.text ?? input.caption ?? '').trim()
  if (written === '') throw new EmulatorInputError(`invalid user message: ${input.text === undefined ? 'caption' : 'text'} is empty`)
  const entities = detectEntities(written)
  if (input.text !== undefined) return { text: written, ...(entities.length > 0 ? { entities } : {}) }
  return { photo: PHOTO.map((size) => ({ ...size })), caption: written, ...(entities.length > 0 ? { caption_entities: entities } : {}) }
}

/** What users do: write messages (which become updates for the bot), and what tests hand-make. */
export class UserSide {
  private readonly ctx: UserSideContext

  constructor (ctx: UserSideContext) {
    this.ctx = ctx
  }

  sendUserMessage (input: UserMessageInput): MessageUpdate {
    if (!checkUserMessage.Check(input)) {
      const problem = checkUserMessage.Errors(input)[0]
      throw new EmulatorInputError(`invalid user message: ${problem?.instancePath === '' ? '' : `${problem?.instancePath ?? ''} `}${problem?.message ?? 'invalid'}`)
    }
    const { chats, queue, log } = this.ctx
    const content = contentOf(input)
    if ((input.chat?.type ?? 'private') === 'private' && (input.sender_chat !== undefined || input.is_automatic_forward === true)) {
      throw new EmulatorInputError('invalid user message: sender_chat and is_automatic_forward exist in groups only')
    }
    if (input.is_automatic_forward === true && input.sender_chat === undefined) throw new EmulatorInputError('invalid user message: an automatic forward needs its sender_chat (the channel)')
    const { id, first_name: firstName, is_bot: isBot = false, ...rest } = input.from
    const from: TgUser = { id, is_bot: isBot, first_name: firstName, ...rest }
    const chat = chats.upsert(this.chatFor(input, from))
    let replied: TgMessage | undefined
    if (input.reply_to_message_id !== undefined) {
      replied = chats.find(chat.id, input.reply_to_message_id)
      if (replied === undefined) throw new EmulatorInputError(`invalid user message: message ${input.reply_to_message_id} is not in chat ${chat.id}`)
      delete replied.reply_to_message
    }
    const message = chats.add(chat.id, (messageId) => ({
      message_id: messageId,
      from,
      ...(input.sender_chat === undefined ? {} : { sender_chat: { ...input.sender_chat } }),
      chat,
      date: now(),
      ...(input.is_automatic_forward === true ? { is_automatic_forward: true as const } : {}),
      ...content,
      ...(replied === undefined ? {} : { reply_to_message: replied })
    }))
    const update: MessageUpdate = { update_id: queue.nextUpdateId(), message }
    const withheld = this.withheldInGroup(message)
    if (withheld !== undefined) queue.withhold(update.update_id, withheld)
    const queued = withheld === undefined && queue.push(update)
    log(`user ${from.id} wrote message ${message.message_id} in chat ${chat.id}: update ${update.update_id} ${queued ? 'queued' : `not delivered (${queue.withheldReason(update.update_id) ?? ''})`}`)
    return structuredClone(update)
  }

  /**
   * The user edits a message of theirs still in the chat: a text message gets the new text, a photo the
   * new caption (with their entities) and `edit_date`, and an `edited_message` update is queued.
   */
  editUserMessage (input: UserEditInput): EditedMessageUpdate {
    if (!checkUserEdit.Check(input)) {
      const problem = checkUserEdit.Errors(input)[0]
      throw new EmulatorInputError(`invalid edit: ${problem?.instancePath ?? ''} ${problem?.message ?? 'invalid'}`.replace(/ +/g, ' '))
    }
    const { chats, queue, log, bot } = this.ctx
    const original = chats.find(input.chat_id, input.message_id)
    if (original === undefined) throw new EmulatorInputError(`invalid edit: message ${input.message_id} is not in chat ${input.chat_id}`)
    if (original.from?.id === bot.id) throw new EmulatorInputError('invalid edit: users edit their own messages, not the bot\'s')
    const content = contentOf(original.text === undefined ? { caption: input.text } : { text: input.text })
    const message = chats.edit(input.chat_id, input.message_id, ({ text, entities, caption, caption_entities: captionEntities, photo, ...unchanged }) =>
      ({ ...unchanged, ...content, edit_date: now() })) as TgMessage
    const update: EditedMessageUpdate = { update_id: queue.nextUpdateId(), edited_message: message }
    const queued = queue.push(update)
    log(`user ${original.from?.id ?? '?'} edited message ${message.message_id} in chat ${input.chat_id}: update ${update.update_id} ${queued ? 'queued' : 'not allowed by allowed_updates'}`)
    return structuredClone(update)
  }

  /** Why Telegram would not give the bot this message (privacy mode in a group where it is no administrator), if it would not. */
  private withheldInGroup (message: TgMessage): string | undefined {
    const { bot, chats, privacyMode } = this.ctx
    if (!privacyMode || message.chat.type === 'private' || chats.botCanDeleteIn(message.chat.id)) return undefined
    return withheldByPrivacyMode(message, bot, chats.lastBotSenderBefore(message.chat.id, message.message_id))
  }

  /** Queues a hand-made update as is (tests deliver the same update twice with it); its chat and message become known. */
  deliverRaw (update: TgUpdate): void {
    if (typeof update !== 'object' || update === null || !Number.isSafeInteger(update.update_id) || update.update_id < 0) {
      throw new EmulatorInputError('an update needs an integer update_id')
    }
    const message = update.message as Partial<TgMessage> | undefined
    const chat = message?.chat
    if (chat !== undefined && typeof chat.id === 'number' && typeof chat.type === 'string') {
      this.ctx.chats.upsert(chat)
      if (typeof message?.message_id === 'number') this.ctx.chats.record(message as TgMessage)
    }
    const queued = this.ctx.queue.push(update)
    this.ctx.log(`raw update ${update.update_id} ${queued ? 'queued' : 'not allowed by allowed_updates'}`)
  }

  private chatFor (input: UserMessageInput, from: TgUser): TgChat {
    const wanted = input.chat ?? { type: 'private' }
    if (wanted.type === 'private') {
      if (wanted.id !== undefined && wanted.id !== from.id) throw new EmulatorInputError('invalid user message: in a private chat, chat.id must equal from.id')
      return {
        id: from.id,
        type: 'private',
        first_name: from.first_name,
        ...(from.last_name === undefined ? {} : { last_name: from.last_name }),
        ...(from.username === undefined ? {} : { username: from.username })
      }
    }
    if (wanted.id === undefined || wanted.id >= 0) throw new EmulatorInputError('invalid user message: a group chat needs a negative chat.id')
    return { id: wanted.id, type: wanted.type, title: wanted.title ?? this.ctx.chats.get(wanted.id)?.title ?? DEFAULT_GROUP_TITLE }
  }
}

/** The bot's messages after `after`, and the chat's deleted message ids, as the chat CLI polls them. */
export interface ChatPollResult {
  messages: TgMessage[]
  deleted_message_ids: number[]
}

export interface UserApiRoutesOptions {
  ctx: UserSideContext
  users: UserSide
  updateStatus: (updateId: number) => UpdateStatus
  /** Aborted when the emulator closes: long polls answer at once. */
  closing: AbortSignal
}

/** `/emulator/...`: the user side over HTTP, for the chat CLI in another process. */
export function userApiRoutes ({ ctx, users, updateStatus, closing }: UserApiRoutesOptions): FastifyPluginAsyncTypebox {
  return async (fastify) => {
    fastify.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
      const status = error instanceof EmulatorInputError ? 400 : error.statusCode ?? 500
      return reply.code(status).send({ error: status < 500 ? 'Bad Request' : 'Internal Server Error', message: error.message })
    })

    fastify.get('/emulator/info', async () => ({ botId: ctx.bot.id, botUsername: ctx.bot.username, botFirstName: ctx.bot.first_name }))

    fastify.post('/emulator/messages', { schema: { body: UserMessageSchema } }, async (request) => ({ update: users.sendUserMessage(request.body) }))
    fastify.post('/emulator/edits', { schema: { body: UserEditSchema } }, async (request) => ({ update: users.editUserMessage(request.body) }))

    fastify.get('/emulator/chats/:chatId/messages', {
      schema: {
        params: Type.Object({ chatId: Type.Integer() }),
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: 0 })),
          wait: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_CHAT_POLL_SECONDS })),
          known_deleted: Type.Optional(Type.Integer({ minimum: 0 }))
        })
      }
    }, async (request, reply): Promise<ChatPollResult> => {
      const { chatId } = request.params
      const { after = 0, wait = 0, known_deleted: knownDeleted } = request.query
      const read = (): ChatPollResult => ({
        messages: ctx.chats.botMessages(chatId).filter((message) => message.message_id > after),
        deleted_message_ids: ctx.chats.deletedIds(chatId)
      })
      const news = (): ChatPollResult | undefined => {
        const result = read()
        const newDeletion = knownDeleted !== undefined && result.deleted_message_ids.length > knownDeleted
        return result.messages.length > 0 || newDeletion ? result : undefined
      }
      const clientGone = new AbortController()
      reply.raw.on('close', () => { if (!reply.raw.writableFinished) clientGone.abort() })
      return await waitFor(ctx.chats.changed, news, wait * 1000, AbortSignal.any([clientGone.signal, closing])) ?? read()
    })

    fastify.get('/emulator/updates/:updateId', {
      schema: { params: Type.Object({ updateId: Type.Integer({ minimum: 0 }) }) }
    }, async (request): Promise<UpdateStatus> => updateStatus(request.params.updateId))

    fastify.put('/emulator/chats/:chatId/admin', {
      schema: {
        params: Type.Object({ chatId: Type.Integer() }),
        body: Type.Object({ can_delete_messages: Type.Boolean() }, { additionalProperties: false })
      }
    }, async (request) => {
      ctx.chats.setBotCanDelete(request.params.chatId, request.body.can_delete_messages)
      return { ok: true }
    })
  }
}
