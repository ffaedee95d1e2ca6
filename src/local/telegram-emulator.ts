/**
 * A local Telegram Bot API emulator: a real HTTP server that stands in for api.telegram.org.
 * `npm start` runs the bot against it and a developer chats through `npm run chat`; the tests use
 * it as the fake Telegram (it records calls and injects faults). Where the bot can observe Telegram
 * (answers, errors, webhook delivery and retries, getUpdates), it behaves like Telegram.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import Fastify from 'fastify'
import { BotApi, botApiRoutes, webhookInfoOf } from './telegram-emulator/bot-api.js'
import { ChatStore } from './telegram-emulator/chats.js'
import type { BotApiCall, EditedMessageUpdate, MessageUpdate, TelegramFault, TgBotUser, TgMessage, TgUpdate, TgWebhookInfo, UserEditInput, UserMessageInput } from './telegram-emulator/types.js'
import { ProcessingRecord, type ProcessingOutcome, type UpdateStatus } from './telegram-emulator/processing.js'
import { LongPolling, UpdateQueue } from './telegram-emulator/updates.js'
import { UserSide, userApiRoutes } from './telegram-emulator/user-api.js'
import { waitFor } from './telegram-emulator/waiting.js'
import { WebhookDelivery } from './telegram-emulator/webhook.js'

export type * from './telegram-emulator/types.js'
export type { ProcessingAttempt, ProcessingOutcome, UpdateStatus } from './telegram-emulator/processing.js'
export { EmulatorInputError } from './telegram-emulator/errors.js'
export type { ChatPollResult } from './telegram-emulator/user-api.js'

export interface TelegramEmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: a free port (read `url`). */
  port?: number
  /** The bot's token; default: a generated one shaped like Telegram's (`<bot id>:<35 chars>`). */
  token?: string
  /** Default `local_register_bot`. */
  botUsername?: string
  /** Default `Local Register Bot`. */
  botFirstName?: string
  /** Webhook retry delays: the first, doubling up to the cap. Default 1 s … 60 s, as Telegram; tests pass a few ms. */
  webhookRetry?: { initialDelayMs?: number, maxDelayMs?: number }
  /** How long a webhook request may take before it counts as failed. Default 60 s. */
  webhookTimeoutMs?: number
  /**
   * Telegram's privacy mode (BotFather /setprivacy): on, the bot receives in groups only commands meant
   * for it, replies to it and mentions of it (src/local/telegram-emulator/privacy.ts) unless it is an
   * administrator there. Default off: every group message, as the bot is deployed (docs/deploy.md).
   */
  privacyMode?: boolean
  /** Where the emulator's own log lines go (never with the token). Default: nowhere. */
  log?: (line: string) => void
}

export interface TelegramEmulator {
  /** The emulator's base URL: Telegraf's `apiRoot`, and the base of the `/emulator/...` user API. */
  readonly url: string
  /** Same as `url`. */
  readonly apiRoot: string
  readonly token: string
  /** What `getMe` returns. */
  readonly bot: TgBotUser
  readonly botId: number
  readonly botUsername: string
  /** Every Bot API call, in arrival order. */
  readonly calls: readonly BotApiCall[]
  /** The webhook as `getWebhookInfo` reports it, plus the secret token it was set with. */
  readonly webhook: TgWebhookInfo & { secret_token?: string }
  /** A user writes a text message: the update is recorded in the chat and delivered (webhook or getUpdates). */
  sendUserMessage: (input: UserMessageInput) => MessageUpdate
  /** A user edits a message of theirs: it changes in the chat and an `edited_message` update is delivered. */
  editUserMessage: (input: UserEditInput) => EditedMessageUpdate
  /**
   * Sets the webhook as the bot's `setWebhook` would (same checks, same effects), for a local
   * runtime that wires the emulator to its app; not recorded in `calls`. Rejects with Telegram's
   * description when Telegram would refuse.
   */
  setWebhook: (webhook: EmulatorWebhookSettings) => Promise<void>
  /** Queues a hand-made update as is (e.g. the same update twice). */
  deliverRaw: (update: TgUpdate) => void
  /** The calls of one method (case-insensitive). */
  callsOf: (method: string) => BotApiCall[]
  /** The messages the bot sent to a chat, in order (deleted ones included). */
  botMessages: (chatId: number) => TgMessage[]
  /** Every message of a chat, the user's and the bot's, in order (deleted ones included). */
  chatMessages: (chatId: number) => TgMessage[]
  /** Ids of the chat's deleted messages, in the order they were deleted. */
  deletedMessageIds: (chatId: number) => number[]
  /** Resolves with the chat's bot messages once there are at least `count`; rejects after `timeoutMs` saying what arrived. */
  waitForBotMessages: (chatId: number, count: number, timeoutMs?: number) => Promise<TgMessage[]>
  /** Resolves once no update is pending (all delivered or confirmed); rejects after `timeoutMs`. */
  waitUntilDelivered: (timeoutMs?: number) => Promise<void>
  /** The next `times` calls of `method` fail with a Telegram-shaped error (after `after` calls that go through, default 0). */
  failNext: (method: string, fault: TelegramFault, times?: number, after?: number) => void
  /** The local runtime reports what became of an update it was handed (see processing.ts); not something Telegram has. */
  reportProcessing: (updateId: number, outcome: ProcessingOutcome) => void
  /** An update's delivery and the runtime's reports about it. */
  updateStatus: (updateId: number) => UpdateStatus
  /** Makes the bot an administrator allowed to delete messages in a group (false: a plain member). */
  setBotAdmin: (chatId: number, canDelete?: boolean) => void
  /** Stops webhook delivery, answers waiting long polls and closes the server. Idempotent. */
  close: () => Promise<void>
}

export interface EmulatorWebhookSettings {
  url: string
  /** Sent as X-Telegram-Bot-Api-Secret-Token; empty or absent: none. */
  secretToken?: string
  maxConnections?: number
  allowedUpdates?: string[]
  dropPendingUpdates?: boolean
}

const TOKEN_PATTERN = /^(\d{1,20}):[A-Za-z0-9_-]{30,}$/

/** A token shaped like Telegram's: `<bot id>:<35 characters of A-Z a-z 0-9 _ ->`. */
export function generateBotToken (): string {
  return `${randomInt(1_000_000_000, 8_000_000_000)}:${randomBytes(27).toString('base64url').slice(0, 35)}`
}

export async function startTelegramEmulator (options: TelegramEmulatorOptions = {}): Promise<TelegramEmulator> {
  const token = options.token ?? generateBotToken()
  const botId = TOKEN_PATTERN.exec(token)?.[1]
  // Never echo the token: the message names the expected shape only.
  if (botId === undefined) throw new Error('telegram emulator: the token must look like <bot id>:<secret of 30+ characters A-Z a-z 0-9 _ ->')
  const log = options.log ?? (() => {})
  const bot: TgBotUser = {
    id: Number(botId),
    is_bot: true,
    first_name: options.botFirstName ?? 'Local Register Bot',
    username: options.botUsername ?? 'local_register_bot',
    can_join_groups: true,
    can_read_all_group_messages: options.privacyMode !== true,
    supports_inline_queries: false
  }

  const closing = new AbortController()
  const chats = new ChatStore(bot.id)
  const queue = new UpdateQueue()
  const polling = new LongPolling(queue)
  const webhook = new WebhookDelivery(queue, {
    initialDelayMs: options.webhookRetry?.initialDelayMs ?? 1000,
    maxDelayMs: options.webhookRetry?.maxDelayMs ?? 60_000,
    timeoutMs: options.webhookTimeoutMs ?? 60_000,
    log,
    executeMethod: async (method, params) => {
      // Runs only once deliveries happen, after botApi exists.
      await botApi.call(method, params, { authorized: true, source: 'webhook-response', signal: closing.signal })
    }
  })
  const botApi = new BotApi({ bot, chats, queue, polling, webhook, log })
  const users = new UserSide({ bot, chats, queue, log, privacyMode: options.privacyMode === true })
  const processing = new ProcessingRecord()
  const updateStatus = (updateId: number): UpdateStatus => ({
    update_id: updateId,
    pending: queue.all.some((item) => item.update.update_id === updateId),
    attempts: processing.attemptsOf(updateId),
    ...(queue.withheldReason(updateId) === undefined ? {} : { withheld: queue.withheldReason(updateId) }),
    ...(webhook.lastErrorMessage === undefined ? {} : { last_webhook_error: webhook.lastErrorMessage })
  })

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 })
  app.setValidatorCompiler(TypeBoxValidatorCompiler)
  app.setNotFoundHandler(async (_request, reply) => await reply.code(404).send({ ok: false, error_code: 404, description: 'Not Found' }))
  app.register(botApiRoutes(botApi, token))
  app.register(userApiRoutes({ ctx: { bot, chats, queue, log, privacyMode: options.privacyMode === true }, users, updateStatus, closing: closing.signal }))
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 })
  const address = app.server.address()
  /* c8 ignore next */
  if (address === null || typeof address === 'string') throw new Error('telegram emulator: no TCP address')
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`
  log(`telegram emulator listening on ${url} as @${bot.username}`)

  let closed: Promise<void> | undefined
  const emulator: TelegramEmulator = {
    url,
    apiRoot: url,
    token,
    bot: { ...bot },
    botId: bot.id,
    botUsername: bot.username,
    get calls () { return botApi.calls },
    get webhook () {
      const info = webhookInfoOf(webhook, queue)
      const secretToken = webhook.current?.secretToken
      return secretToken === undefined ? info : { ...info, secret_token: secretToken }
    },
    setWebhook: async (settings) => {
      const params: Record<string, unknown> = { url: settings.url }
      if (settings.secretToken !== undefined && settings.secretToken !== '') params.secret_token = settings.secretToken
      if (settings.maxConnections !== undefined) params.max_connections = settings.maxConnections
      if (settings.allowedUpdates !== undefined) params.allowed_updates = settings.allowedUpdates
      if (settings.dropPendingUpdates === true) params.drop_pending_updates = true
      const { response } = await botApi.call('setWebhook', params, { authorized: true, record: false, source: 'http', signal: closing.signal })
      if (!response.ok) throw new Error(`telegram emulator: setWebhook refused: ${response.description}`)
    },
    sendUserMessage: (input) => users.sendUserMessage(input),
    editUserMessage: (input) => users.editUserMessage(input),
    deliverRaw: (update) => { users.deliverRaw(update) },
    callsOf: (method) => botApi.calls.filter((call) => call.method.toLowerCase() === method.toLowerCase()),
    botMessages: (chatId) => chats.botMessages(chatId),
    chatMessages: (chatId) => chats.messages(chatId),
    deletedMessageIds: (chatId) => chats.deletedIds(chatId),
    waitForBotMessages: async (chatId, count, timeoutMs = 5000) => {
      const enough = (): TgMessage[] | undefined => {
        const messages = chats.botMessages(chatId)
        return messages.length >= count ? messages : undefined
      }
      const messages = await waitFor(chats.changed, enough, timeoutMs, closing.signal)
      if (messages !== undefined) return messages
      const arrived = chats.botMessages(chatId).map((message) => message.text)
      const rejected = botApi.calls.filter((call) => !call.response.ok).slice(-3)
        .map((call) => `${call.method} → ${call.status} ${call.response.ok ? '' : call.response.description}`)
      throw new Error(`expected ${count} bot message(s) in chat ${chatId} within ${timeoutMs} ms${closing.signal.aborted ? ' (the emulator closed)' : ''}; ` +
        `got ${arrived.length}: ${JSON.stringify(arrived)}` +
        (rejected.length > 0 ? `; last rejected calls: ${rejected.join('; ')}` : '') +
        `; pending updates: ${queue.size}` + (webhook.lastErrorMessage === undefined ? '' : `; last webhook error: ${webhook.lastErrorMessage}`))
    },
    waitUntilDelivered: async (timeoutMs = 5000) => {
      const done = await waitFor(queue.changed, () => queue.size === 0 ? true : undefined, timeoutMs, closing.signal)
      if (done === undefined) {
        throw new Error(`${queue.size} update(s) still pending after ${timeoutMs} ms` +
          (webhook.current === undefined ? ' (no webhook is set)' : '') +
          (webhook.lastErrorMessage === undefined ? '' : `; last webhook error: ${webhook.lastErrorMessage}`))
      }
    },
    failNext: (method, fault, times = 1, after = 0) => { botApi.failNext(method, fault, times, after) },
    reportProcessing: (updateId, outcome) => { processing.report(updateId, outcome) },
    updateStatus,
    setBotAdmin: (chatId, canDelete = true) => { chats.setBotCanDelete(chatId, canDelete) },
    close: async () => {
      closed ??= (async () => {
        closing.abort()
        polling.release()
        webhook.stop()
        await app.close()
        log('telegram emulator closed')
      })()
      await closed
    }
  }
  return emulator
}
