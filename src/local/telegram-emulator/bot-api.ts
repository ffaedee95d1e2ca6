import type { FastifyPluginAsync } from 'fastify'
import type { ChatStore } from './chats.js'
import { BotApiError, badRequest, faultError } from './errors.js'
import { Params, parseMultipart, parseUrlEncoded } from './params.js'
import { detectEntities, messageTextOf } from './text.js'
import type { BotApiCall, BotApiResponse, TelegramFault, TgBotCommand, TgBotUser, TgChat, TgMessage, TgUser, TgWebhookInfo } from './types.js'
import { CONFLICT_SET_WEBHOOK, CONFLICT_WEBHOOK_ACTIVE, type LongPolling, type UpdateQueue } from './updates.js'
import type { WebhookDelivery, WebhookTarget } from './webhook.js'

export interface BotApiContext {
  bot: TgBotUser
  chats: ChatStore
  queue: UpdateQueue
  polling: LongPolling
  webhook: WebhookDelivery
  log: (line: string) => void
}

interface Answer {
  result: unknown
  description?: string
}

type Method = (params: Params, signal: AbortSignal) => Answer | Promise<Answer>

const DEFAULT_MAX_CONNECTIONS = 40
const MAX_LONG_POLL_SECONDS = 50

function clamp (value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

function now (): number {
  return Math.floor(Date.now() / 1000)
}

function stringArray (value: unknown, what: string): string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw badRequest(`can't parse ${what} JSON object`)
  return value
}

/** What getWebhookInfo reports: the last error stays until the URL changes; max_connections and allowed_updates only with a webhook. */
export function webhookInfoOf (webhook: WebhookDelivery, queue: UpdateQueue): TgWebhookInfo {
  const target = webhook.current
  return {
    url: target?.url ?? '',
    has_custom_certificate: false,
    pending_update_count: queue.size,
    ...(webhook.lastErrorDate === undefined ? {} : { last_error_date: webhook.lastErrorDate, last_error_message: webhook.lastErrorMessage }),
    ...(target === undefined ? {} : { max_connections: target.maxConnections }),
    ...(target === undefined || queue.allowedUpdates === undefined ? {} : { allowed_updates: [...queue.allowedUpdates] })
  }
}

/** The Bot API methods the emulator implements, keyed by their lower-case name (Telegram matches names case-insensitively). */
function createMethods (ctx: BotApiContext): Map<string, { name: string, run: Method }> {
  const { bot, chats, queue, polling, webhook } = ctx
  const botAsSender: TgUser = { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username }
  const commands = new Map<string, TgBotCommand[]>()

  const chatOf = (params: Params): TgChat => {
    const chatId = params.string('chat_id')
    if (chatId === undefined) throw badRequest('chat_id is empty')
    const chat = chatId.startsWith('@') ? chats.findByUsername(chatId) : chats.get(Number(chatId))
    if (chat === undefined) throw badRequest('chat not found')
    return chat
  }

  const commandsKey = (params: Params): string => {
    const scope = (params.json('scope', 'BotCommandScope') ?? { type: 'default' }) as Record<string, unknown>
    if (typeof scope !== 'object' || scope === null || typeof scope.type !== 'string') throw badRequest("can't parse BotCommandScope JSON object")
    return [scope.type, scope.chat_id ?? '', scope.user_id ?? '', params.string('language_code') ?? ''].join('|')
  }

  const removeWebhook = (params: Params): Answer => {
    if (params.boolean('drop_pending_updates')) queue.clear()
    const had = webhook.current !== undefined
    webhook.configure(undefined)
    if (had) ctx.log('webhook deleted')
    return { result: true, description: had ? 'Webhook was deleted' : 'Webhook is already deleted' }
  }

  const methods: Record<string, Method> = {
    getMe: () => ({ result: { ...bot } }),

    sendMessage: (params) => {
      const chat = chatOf(params)
      const text = messageTextOf(params.string('text'), params.string('parse_mode'))
      const reply = params.json('reply_parameters', 'reply parameters') as { message_id?: unknown, allow_sending_without_reply?: unknown } | undefined
      const replyToId = typeof reply?.message_id === 'number' ? reply.message_id : params.integer('reply_to_message_id')
      const allowWithoutReply = reply?.allow_sending_without_reply === true || params.boolean('allow_sending_without_reply')
      let replied: TgMessage | undefined
      if (replyToId !== undefined && replyToId !== 0) {
        replied = chats.find(chat.id, replyToId)
        if (replied === undefined && !allowWithoutReply) throw badRequest('message to be replied not found')
        if (replied !== undefined) delete replied.reply_to_message
      }
      const entities = detectEntities(text)
      const message = chats.add(chat.id, (messageId) => ({
        message_id: messageId,
        from: botAsSender,
        chat,
        date: now(),
        text,
        ...(entities.length > 0 ? { entities } : {}),
        ...(replied === undefined ? {} : { reply_to_message: replied })
      }))
      return { result: message }
    },

    deleteMessage: (params) => {
      const chat = chatOf(params)
      const messageId = params.integer('message_id')
      if (messageId === undefined || messageId === 0) throw badRequest('message identifier is not specified')
      const message = chats.find(chat.id, messageId)
      if (message === undefined) throw badRequest('message to delete not found')
      // Bots delete any message in private chats and their own anywhere; others' messages in groups need the right.
      if (chat.type !== 'private' && message.from?.id !== bot.id && !chats.botCanDeleteIn(chat.id)) {
        throw badRequest("message can't be deleted")
      }
      chats.delete(chat.id, messageId)
      return { result: true }
    },

    sendChatAction: (params) => {
      chatOf(params)
      if (!params.has('action')) throw badRequest('action is empty')
      return { result: true }
    },

    getChat: (params) => ({ result: chatOf(params) }),

    getChatMember: (params) => {
      const chat = chatOf(params)
      const userId = params.integer('user_id')
      if (userId === bot.id) {
        const admin = chat.type !== 'private' && chats.botCanDeleteIn(chat.id)
        return {
          result: admin
            ? {
                status: 'administrator',
                user: botAsSender,
                can_be_edited: false,
                is_anonymous: false,
                can_manage_chat: true,
                can_delete_messages: true,
                can_manage_video_chats: false,
                can_restrict_members: false,
                can_promote_members: false,
                can_change_info: false,
                can_invite_users: false,
                can_post_stories: false,
                can_edit_stories: false,
                can_delete_stories: false,
                can_pin_messages: false
              }
            : { status: 'member', user: botAsSender }
        }
      }
      const user = chats.messages(chat.id).find((message) => message.from?.id === userId)?.from
      if (user === undefined) throw badRequest('user not found')
      return { result: { status: 'member', user } }
    },

    setWebhook: (params) => {
      const url = params.string('url') ?? ''
      if (url === '') return removeWebhook(params)
      let parsed: URL
      try {
        parsed = new URL(url)
      } catch {
        throw badRequest('invalid webhook URL specified')
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw badRequest('invalid webhook URL specified')
      const secretToken = params.string('secret_token')
      if (secretToken !== undefined) {
        if (secretToken.length > 256) throw badRequest('secret token is too long')
        if (!/^[A-Za-z0-9_-]+$/.test(secretToken)) throw badRequest('secret token contains unallowed characters')
      }
      const allowedUpdates = stringArray(params.json('allowed_updates', 'allowed updates'), 'allowed updates')
      const target: WebhookTarget = {
        url,
        secretToken,
        maxConnections: clamp(params.integer('max_connections') ?? DEFAULT_MAX_CONNECTIONS, 1, 100)
      }
      const current = webhook.current
      const unchanged = current !== undefined && current.url === target.url && current.secretToken === target.secretToken &&
        current.maxConnections === target.maxConnections
      if (allowedUpdates !== undefined) queue.allowedUpdates = allowedUpdates
      const drop = params.boolean('drop_pending_updates')
      if (drop) queue.clear()
      polling.terminate(CONFLICT_SET_WEBHOOK)
      if (!unchanged || drop) {
        webhook.configure(target)
        ctx.log(`webhook set to ${parsed.origin}${parsed.pathname}`)
      }
      return { result: true, description: unchanged ? 'Webhook is already set' : 'Webhook was set' }
    },

    deleteWebhook: (params) => removeWebhook(params),

    getWebhookInfo: () => ({ result: webhookInfoOf(webhook, queue) }),

    getUpdates: async (params, signal) => {
      if (webhook.current !== undefined) throw new BotApiError(409, CONFLICT_WEBHOOK_ACTIVE)
      const result = await polling.getUpdates({
        offset: params.integer('offset') ?? 0,
        limit: clamp(params.integer('limit') ?? 100, 1, 100),
        timeoutSeconds: clamp(params.integer('timeout') ?? 0, 0, MAX_LONG_POLL_SECONDS),
        allowedUpdates: stringArray(params.json('allowed_updates', 'allowed updates'), 'allowed updates')
      }, signal)
      return { result }
    },

    setMyCommands: (params) => {
      const list = params.json('commands', 'commands')
      if (!Array.isArray(list) || list.length > 100) throw badRequest("can't parse commands JSON object")
      const parsed = list.map((item: unknown): TgBotCommand => {
        const { command, description } = (item ?? {}) as Record<string, unknown>
        if (typeof command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest('BOT_COMMAND_INVALID')
        if (typeof description !== 'string' || description.trim().length === 0 || description.length > 256) {
          throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID')
        }
        return { command, description }
      })
      commands.set(commandsKey(params), parsed)
      return { result: true }
    },

    getMyCommands: (params) => ({ result: structuredClone(commands.get(commandsKey(params)) ?? []) }),

    deleteMyCommands: (params) => {
      commands.delete(commandsKey(params))
      return { result: true }
    }
  }
  return new Map(Object.entries(methods).map(([name, run]) => [name.toLowerCase(), { name, run }]))
}

export interface CallOptions {
  authorized: boolean
  /** False for the emulator's own in-process set-up calls, which are not the bot's. Default true. */
  record?: boolean
  source: BotApiCall['source']
  signal: AbortSignal
}

/** The Bot API as the bot sees it: method dispatch, Telegram-shaped answers, injected faults and the record of calls. */
export class BotApi {
  readonly calls: BotApiCall[] = []
  private readonly methods: Map<string, { name: string, run: Method }>
  /** Per method, what its next calls meet: a fault, or undefined for a call that goes through. */
  private readonly faults = new Map<string, Array<TelegramFault | undefined>>()
  private readonly log: (line: string) => void

  constructor (ctx: BotApiContext) {
    this.methods = createMethods(ctx)
    this.log = ctx.log
  }

  /** After `after` calls that go through, the next `times` calls of `method` fail with `fault` (queued after any faults already set). */
  failNext (method: string, fault: TelegramFault, times = 1, after = 0): void {
    const key = method.toLowerCase()
    const queued = this.faults.get(key) ?? []
    for (let i = 0; i < after; i++) queued.push(undefined)
    for (let i = 0; i < times; i++) queued.push(fault)
    this.faults.set(key, queued)
  }

  async call (requested: string, raw: Record<string, unknown>, options: CallOptions): Promise<{ status: number, response: BotApiResponse }> {
    const method = this.methods.get(requested.toLowerCase())
    let response: BotApiResponse
    try {
      if (!options.authorized) throw new BotApiError(401, 'Unauthorized')
      if (method === undefined) throw new BotApiError(404, 'Not Found')
      const fault = this.faults.get(requested.toLowerCase())?.shift()
      if (fault !== undefined) throw faultError(fault)
      const answer = await method.run(new Params(raw), options.signal)
      response = { ok: true, result: answer.result, ...(answer.description === undefined ? {} : { description: answer.description }) }
    } catch (error) {
      /* c8 ignore next 3: an emulator bug, answered as Telegram answers its own failures */
      if (!(error instanceof BotApiError)) this.log(`bot api: ${method?.name ?? requested} crashed: ${String(error)}`)
      response = (error instanceof BotApiError ? error : new BotApiError(500, 'Internal Server Error')).toResponse()
    }
    const status = response.ok ? 200 : response.error_code
    if (options.record !== false) this.calls.push({ method: method?.name ?? requested, params: structuredClone(raw), at: Date.now(), status, response: structuredClone(response), source: options.source })
    return { status, response }
  }
}

/** `GET|POST /bot<token>/<method>`, with JSON, url-encoded and multipart bodies and query strings. */
export function botApiRoutes (api: BotApi, token: string): FastifyPluginAsync {
  return async (fastify) => {
    fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, parseUrlEncoded(body as string))
    })
    fastify.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (request, body, done) => {
      try {
        done(null, parseMultipart(body as string, request.headers['content-type'] ?? ''))
      } catch (error) {
        done(error as Error)
      }
    })
    fastify.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
      const apiError = error instanceof BotApiError ? error : badRequest(error.message)
      return reply.code(apiError.errorCode).send(apiError.toResponse())
    })

    fastify.route<{ Params: { token: string, method: string }, Querystring: Record<string, string> }>({
      method: ['GET', 'POST'],
      url: '/bot:token/:method',
      handler: async (request, reply) => {
        const body = typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? request.body : {}
        const raw = { ...request.query, ...body }
        const clientGone = new AbortController()
        reply.raw.on('close', () => { if (!reply.raw.writableFinished) clientGone.abort() })
        const { status, response } = await api.call(request.params.method, raw, {
          authorized: request.params.token === token,
          source: 'http',
          signal: clientGone.signal
        })
        return await reply.code(status).send(response)
      }
    })
  }
}
