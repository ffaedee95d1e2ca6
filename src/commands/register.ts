import { TelegramError } from 'telegraf'
import { failureLogFields } from '../telegram/refusal.js'
import { isFromOwnAccount, type RawUpdate } from '../telegram/update.js'
import { isGroupChat, type BotCommand, type CommandInvocation } from './command.js'
import { replyOnce } from './reply-once.js'

export const REPLIES = {
  registered: (username: string) => `Registration successful! Welcome ${username}`,
  rejected: 'Registration failed. Please check your credentials and try again.',
  malformed: 'Please use format: /register [username] [token]'
} as const

/** The bot's other texts; the three replies of the requirements above stay exactly as they are. */
export const TEXTS = {
  /** To a /register sent as a channel, an anonymous admin, an automatic forward or a bot: the procedure is not called. */
  ownAccount: 'Please send /register from your own Telegram account, not as a channel, an anonymous group admin or a forward.',
  /** Sent after the reply when the bot may not delete a /register message in a group. */
  deleteYourMessage: (botUsername: string) =>
    'I could not delete your /register message: please delete it yourself, because it shows your token to everyone in this group. ' +
    `Next time, register in a private chat with me: https://t.me/${botUsername}?start=register`,
  /** The first line of /help and /start. */
  about: 'I link your Telegram account to your platform account.',
  /** The answer to /start register (the deep link above). */
  registerHere: (usage: string) => `To link your Telegram account to your platform account, send me here: ${usage}`
} as const

// NVARCHAR lengths of the procedure's parameters (UTF-16 code units, as String#length counts).
const MAX_USERNAME_LENGTH = 128
const MAX_TOKEN_LENGTH = 512
/** Control characters, and format characters (right-to-left override, zero-width space…) that would hide what a username really is. */
const INVISIBLE_CHARACTER = /[\p{Cc}\p{Cf}]/u

/** The two arguments, or undefined when the command is malformed. */
export function parseRegisterArguments (args: readonly string[]): { username: string, token: string } | undefined {
  if (args.length !== 2) return undefined
  const [username = '', token = ''] = args
  const fits = (value: string, max: number): boolean => value.length >= 1 && value.length <= max && !INVISIBLE_CHARACTER.test(value)
  return fits(username, MAX_USERNAME_LENGTH) && fits(token, MAX_TOKEN_LENGTH) ? { username, token } : undefined
}

/**
 * In groups the message holds a credential for everyone to read: remove it when the bot is allowed to.
 * Whether it is gone is remembered, so a redelivery does not delete again; a message already gone
 * (Telegram's 400 "message to delete not found") counts as deleted, never as a missing right.
 */
async function deleteCommandMessage ({ ctx, app, log }: CommandInvocation): Promise<boolean> {
  const { result } = await app.updateLedger.once(ctx.update.update_id, 'deletion', async () => {
    try {
      await ctx.deleteMessage()
      log.info('deleted the /register message from the group')
      return true
    } catch (error) {
      if (!(error instanceof TelegramError) || error.code !== 400) throw error
      // Already gone: its sender deleted it, or an attempt whose answer was lost (aborted at its deadline) did.
      if (/message to delete not found/i.test(error.description)) {
        log.info('the /register message was already gone from the group')
        return true
      }
      log.warn(failureLogFields(error), 'could not delete the /register message (the bot needs the right to delete messages)')
      return false
    }
  })
  return result
}

/** Sent once per update, after the answer: its failure must not make SQS deliver the update again. */
async function askToDeleteMessage ({ ctx, app, log }: CommandInvocation): Promise<void> {
  try {
    await app.updateLedger.once(ctx.update.update_id, 'note', async () => { await ctx.reply(TEXTS.deleteYourMessage(ctx.botInfo.username)); return 'sent' })
  } catch (error) {
    log.error(failureLogFields(error), 'register: the note asking to delete the /register message could not be sent')
  }
}

/** The answer to one /register: refused sender, malformed, or the procedure's outcome. */
async function answer (invocation: CommandInvocation): Promise<void> {
  const { ctx, args, app, log } = invocation
  if (!isFromOwnAccount(ctx.update as unknown as RawUpdate)) {
    log.info({ outcome: 'refused-sender' }, 'register: not sent from a person\'s own account; the procedure is not called')
    if (await replyOnce(invocation, TEXTS.ownAccount)) app.botMetrics.registrationRefusedSender()
    return
  }

  const credentials = parseRegisterArguments(args)
  if (credentials === undefined) {
    log.info({ outcome: 'malformed' }, 'register: malformed command')
    if (await replyOnce(invocation, REPLIES.malformed)) app.botMetrics.registrationMalformed()
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
  // A registration is counted once, when the procedure answers; a redelivery counts as a ledger hit.
  if (remembered) app.botMetrics.ledgerHit()
  else if (outcome === 'registered') app.botMetrics.registrationRegistered()
  else app.botMetrics.registrationRejected()

  // A reply that fails fails the record: the redelivery re-sends the reply, not the procedure.
  try {
    await replyOnce(invocation, outcome === 'registered' ? REPLIES.registered(credentials.username) : REPLIES.rejected)
  } catch (error) {
    log.error({ ...failureLogFields(error), outcome }, 'register: the reply could not be sent after the procedure ran; the update is retried for the reply only')
    // Counted once per update: by the receive that ran the procedure, not again by the redeliveries
    // that retry the reply (those take the outcome from the ledger).
    if (!remembered) app.botMetrics.replyFailedAfterProcedure()
    throw error
  }
}

/** `/register <username> <token>`: links the sender's Telegram account to their platform account. */
export const register: BotCommand = {
  name: 'register',
  description: 'Link your Telegram account to your platform account',
  usage: '/register [username] [token]',
  inGroups: 'always',
  async handle (invocation) {
    const deleted = isGroupChat(invocation.ctx.chat) ? await deleteCommandMessage(invocation) : true
    await answer(invocation)
    if (!deleted) await askToDeleteMessage(invocation)
  }
}
