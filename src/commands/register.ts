import { TelegramError } from 'telegraf'
import type { BotCommand, CommandInvocation } from './command.js'

export const REPLIES = {
  registered: (username: string) => `Registration successful! Welcome ${username}`,
  rejected: 'Registration failed. Please check your credentials and try again.',
  malformed: 'Please use format: /register [username] [token]'
} as const

// NVARCHAR lengths of the procedure's parameters (UTF-16 code units, as String#length counts).
const MAX_USERNAME_LENGTH = 128
const MAX_TOKEN_LENGTH = 512
const CONTROL_CHARACTER = /\p{Cc}/u

/** The two arguments, or undefined when the command is malformed. */
export function parseRegisterArguments (args: readonly string[]): { username: string, token: string } | undefined {
  if (args.length !== 2) return undefined
  const [username = '', token = ''] = args
  const fits = (value: string, max: number): boolean => value.length >= 1 && value.length <= max && !CONTROL_CHARACTER.test(value)
  return fits(username, MAX_USERNAME_LENGTH) && fits(token, MAX_TOKEN_LENGTH) ? { username, token } : undefined
}

/** In groups the message holds a credential for everyone to read: remove it when the bot is allowed to. */
async function deleteCommandMessage ({ ctx, log }: CommandInvocation): Promise<void> {
  try {
    await ctx.deleteMessage()
    log.info('deleted the /register message from the group')
  } catch (error) {
    if (!(error instanceof TelegramError) || error.code !== 400) throw error
    log.warn({ err: error }, 'could not delete the /register message (the bot needs the right to delete messages)')
  }
}

/** Sends the reply unless the ledger says it was confirmed sent before (a redelivered update). */
async function replyOnce ({ ctx, app }: CommandInvocation, text: string): Promise<void> {
  await app.updateLedger.once(ctx.update.update_id, 'reply', async () => { await ctx.reply(text); return 'sent' })
}

/** `/register <username> <token>`: links the sender's Telegram account to their platform account. */
export const register: BotCommand = {
  name: 'register',
  description: 'Link your Telegram account to your platform account',
  usage: '/register [username] [token]',
  async handle (invocation) {
    const { ctx, args, app, log } = invocation
    if (ctx.chat.type === 'group' || ctx.chat.type === 'supergroup') await deleteCommandMessage(invocation)

    const credentials = parseRegisterArguments(args)
    if (credentials === undefined) {
      log.info({ outcome: 'malformed' }, 'register: malformed command')
      await replyOnce(invocation, REPLIES.malformed)
      return
    }

    // The ledger keeps the outcome, so a redelivery never calls the procedure again. A TransientError
    // (database unreachable, timeout, deadlock, an unknown outcome) propagates: the record is retried.
    const { result: outcome, remembered } = await app.updateLedger.once(ctx.update.update_id, 'procedure', () => app.registrations.register({
      telegramUserId: ctx.from.id,
      telegramChatId: ctx.chat.id,
      telegramUsername: ctx.from.username,
      username: credentials.username,
      token: credentials.token
    }))
    log.info({ outcome, telegramUserId: ctx.from.id, fromLedger: remembered }, remembered ? 'register: outcome known from the ledger, procedure not called' : 'register: procedure answered')

    // A reply that fails fails the record: the redelivery re-sends the reply, not the procedure.
    try {
      await replyOnce(invocation, outcome === 'registered' ? REPLIES.registered(credentials.username) : REPLIES.rejected)
    } catch (error) {
      log.error({ err: error, outcome }, 'register: the reply could not be sent after the procedure ran; the update is retried for the reply only')
      throw error
    }
  }
}
