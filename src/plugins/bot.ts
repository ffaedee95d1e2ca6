import fp from 'fastify-plugin'
import { Telegraf } from 'telegraf'
import type { Update, UserFromGetMe } from 'telegraf/types'
import { WORKER } from '../../infra/settings.js'
import { requireSetting } from '../config.js'
import { retryTelegramCalls } from '../telegram/retry.js'
import { isUpdateType, type UpdateType } from '../telegram/update-types.js'

declare module 'fastify' {
  interface FastifyInstance {
    bot: Telegraf
    /** Runs one Telegram update through the bot; rejects when it must be retried. */
    processUpdate: (update: Update) => Promise<void>
    /** The update types handlers were registered for with `bot.on`: what telegram:setup asks Telegram to send. */
    handledUpdateTypes: ReadonlySet<UpdateType>
  }
}

/**
 * Telegraf stops waiting for a handler after this. Only a last resort: every record's deadline
 * (src/worker/records.ts) ends inside the Worker's Lambda timeout, which is this long.
 */
export const HANDLER_TIMEOUT_MS = WORKER.timeoutSeconds * 1000

/** The bot's identity from its token and preset username, so a cold start needs no getMe. */
export function presetBotInfo (token: string, username: string): UserFromGetMe {
  return {
    id: Number(token.slice(0, token.indexOf(':'))),
    is_bot: true,
    first_name: username,
    username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false
  }
}

/**
 * Makes `bot.on` note each update type it registers a handler for, so the types the bot handles are
 * read from its registrations (telegram:setup sets Telegram's allowed_updates to them) instead of a
 * list kept by hand. A filter that is not an update type ('text', a filter function) is refused: what
 * it needs delivered could not be told.
 */
export function recordHandledUpdateTypes (bot: Telegraf): ReadonlySet<UpdateType> {
  const handled = new Set<UpdateType>()
  bot.on = new Proxy(bot.on, {
    apply (on, thisArg, args: unknown[]) {
      for (const filter of [args[0]].flat()) {
        if (!isUpdateType(filter)) throw new Error(`bot.on(${typeof filter === 'string' ? `'${filter}'` : typeof filter}): register handlers by update type ('message', 'edited_message', …) so that telegram:setup can ask Telegram for it`)
        handled.add(filter)
      }
      return Reflect.apply(on, thisArg, args) as unknown
    }
  })
  return handled
}

/** Telegraf, pointed at TELEGRAM_API_ROOT, with retrying Bot API calls and errors handed back to the caller. */
export default fp(async (fastify) => {
  const { telegram } = fastify.config
  const token = requireSetting(telegram.botToken, 'TELEGRAM_BOT_TOKEN')
  const bot = new Telegraf(token, { handlerTimeout: HANDLER_TIMEOUT_MS, telegram: { apiRoot: telegram.apiRoot } })
  if (telegram.botUsername !== undefined) bot.botInfo = presetBotInfo(token, telegram.botUsername)

  const handledUpdateTypes = recordHandledUpdateTypes(bot)
  retryTelegramCalls(bot.telegram)
  // Telegraf gives each update its own client: wrap that one too.
  bot.use((ctx, next) => { retryTelegramCalls(ctx.telegram); return next() })
  // Telegraf's default handler sets process.exitCode and logs; the worker decides what a failure means.
  bot.catch((error) => { throw error })

  // One getMe per cold start, remembered only once it succeeded (Telegraf would remember a failure forever).
  let botInfo: Promise<void> | undefined
  const ensureBotInfo = async (): Promise<void> => {
    if (bot.botInfo !== undefined) return
    botInfo ??= bot.telegram.getMe().then((me) => { bot.botInfo = me }, (error: unknown) => { botInfo = undefined; throw error })
    await botInfo
  }

  fastify.decorate('bot', bot)
  fastify.decorate('handledUpdateTypes', handledUpdateTypes)
  fastify.decorate('processUpdate', async (update: Update) => {
    await ensureBotInfo()
    await bot.handleUpdate(update)
  })
}, { name: 'bot', dependencies: ['config'] })
