import { TelegramError } from 'telegraf'
import { sql, type DatabaseContract } from '../db/contract.js'
import { failureLogFields, isPermanentTelegramRefusal } from '../telegram/refusal.js'
import { isFromOwnAccount, type RawUpdate } from '../telegram/update.js'
import { callDatabase } from './call-database.js'
import { isGroupChat, type BotCommand, type CommandInvocation, type MessageInvocation } from './command.js'
import { COMMAND_OUTCOMES, type OutcomeOf } from './outcomes.js'
import { replyOnce } from './reply-once.js'

export const REPLIES = {
  registered: (username: string) => `Registration successful! Welcome ${username}`,
  rejected: 'Registration failed. Please check your credentials and try again.',
  malformed: 'Please use format: /register [username] [token]'
} as const

/** /register's other texts; the three replies of the requirements above stay exactly as they are. */
export const TEXTS = {
  /** To a /register sent as a channel, an anonymous admin, an automatic forward or a bot: the procedure is not called. */
  ownAccount: 'Please send /register from your own Telegram account, not as a channel, an anonymous group admin or a forward.',
  /** Sent after the reply when the bot may not delete a /register message in a group. */
  deleteYourMessage: (botUsername: string) =>
    'I could not delete your /register message: please delete it yourself, because it shows your token to everyone in this group. ' +
    `Next time, register in a private chat with me: https://t.me/${botUsername}?start=register`
} as const

// NVARCHAR lengths of the procedure's parameters (UTF-16 code units, as String#length counts).
const MAX_USERNAME_LENGTH = 128
const MAX_TOKEN_LENGTH = 512

/** What `/register` asks the platform to do: link this Telegram user to that platform account. */
export interface RegistrationRequest {
  telegramUserId: number
  telegramChatId: number
  /** The user's Telegram @username, when they have one. */
  telegramUsername?: string
  username: string
  /** A credential: never logged, never echoed. */
  token: string
}

/**
 * The platform's registration procedure, as /register relies on it (docs/database.md). When the real one
 * differs, this declaration is the one place to change. `registered`: linked (RETURN 0). `rejected`: any
 * other return value, or an error the procedure raised itself (≥ 50000): the platform refused the credentials.
 */
export const registerContract: DatabaseContract<RegistrationRequest, 'registered' | 'rejected'> = {
  name: 'dbo.PartyTelegramUser_REGISTER_tr',
  kind: 'procedure',
  parameters: [
    { name: 'TelegramUserId', type: sql.bigint(), from: (request) => request.telegramUserId },
    { name: 'TelegramChatId', type: sql.bigint(), from: (request) => request.telegramChatId },
    { name: 'TelegramUsername', type: sql.nvarchar(64), from: (request) => request.telegramUsername ?? null },
    { name: 'Username', type: sql.nvarchar(MAX_USERNAME_LENGTH), from: (request) => request.username },
    { name: 'Token', type: sql.nvarchar(MAX_TOKEN_LENGTH), from: (request) => request.token }
  ],
  effect: 'writes',
  outcome: (answer) => answer.raisedError === undefined && answer.returnValue === 0 ? 'registered' : 'rejected'
}
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
async function deleteCommandMessage ({ ctx, app, log }: MessageInvocation): Promise<boolean> {
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
async function askToDeleteMessage ({ ctx, app, log }: MessageInvocation): Promise<void> {
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
    if (await replyOnce(invocation, TEXTS.ownAccount)) app.botMetrics.commandOutcome(register, 'refused-sender')
    return
  }

  const credentials = parseRegisterArguments(args)
  if (credentials === undefined) {
    log.info({ outcome: 'malformed' }, 'register: malformed command')
    if (await replyOnce(invocation, REPLIES.malformed)) app.botMetrics.commandOutcome(register, 'malformed')
    return
  }

  // The ledger keeps the outcome, so a redelivery never calls the procedure again. A TransientError
  // (database unreachable, timeout, deadlock, an unknown outcome) propagates: the record is retried.
  const { outcome, remembered } = await callDatabase(invocation, registerContract, {
    telegramUserId: ctx.from.id,
    telegramChatId: ctx.chat.id,
    telegramUsername: ctx.from.username,
    username: credentials.username,
    token: credentials.token
  })
  log.info({ outcome, telegramUserId: ctx.from.id, fromLedger: remembered }, remembered ? 'register: outcome known from the ledger, procedure not called' : 'register: procedure answered')
  // A registration is counted once, when the procedure answers; a redelivery counts as a ledger hit.
  if (remembered) app.botMetrics.ledgerHit()
  else app.botMetrics.commandOutcome(register, outcome)

  // A reply that fails fails the record: the redelivery re-sends the reply, not the procedure.
  try {
    await replyOnce(invocation, outcome === 'registered' ? REPLIES.registered(credentials.username) : REPLIES.rejected)
  } catch (error) {
    if (isPermanentTelegramRefusal(error)) {
      // Refused for good (the user blocked the bot, it left the group): the worker acknowledges the update, nothing to retry.
      log.warn({ ...failureLogFields(error), outcome }, 'register: Telegram refused the reply after the procedure ran; it cannot be sent')
      throw error
    }
    log.error({ ...failureLogFields(error), outcome }, 'register: the reply could not be sent after the procedure ran; the update is retried for the reply only')
    // Counted once per update: by the receive that ran the procedure, not again by the redeliveries
    // that retry the reply (those take the outcome from the ledger).
    if (!remembered) app.botMetrics.replyFailedAfterProcedure()
    throw error
  }
}

/**
 * In a group, the message with the token is deleted before `answer` (or its sender asked to delete it
 * after, whether the answer went out or not): for a /register and for an edit of one, which shows the
 * token to everyone again.
 */
export async function withTokenMessageRemoved (invocation: MessageInvocation, answer: () => Promise<void>): Promise<void> {
  const deleted = isGroupChat(invocation.ctx.chat) ? await deleteCommandMessage(invocation) : true
  try {
    await answer()
  } finally {
    // Even when the answer failed: the token is on show until its sender deletes it (the ledger sends the note once).
    if (!deleted) await askToDeleteMessage(invocation)
  }
}

/** `/register <username> <token>`: links the sender's Telegram account to their platform account. */
export const register: BotCommand<OutcomeOf<'register'>> = {
  name: 'register',
  description: 'Link your Telegram account to your platform account',
  usage: '/register [username] [token]',
  inGroups: 'always',
  contracts: [registerContract],
  local: async () => (await import('./register.local.js')).local,
  outcomes: COMMAND_OUTCOMES.register,
  async handle (invocation) {
    await withTokenMessageRemoved(invocation, () => answer(invocation))
  },
  aroundEditAnswer: withTokenMessageRemoved
}
