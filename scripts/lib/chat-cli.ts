import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import type { ChatPollResult, TgMessage, UpdateStatus, UserMessageInput } from '../../src/local/telegram-emulator.js'
import { ChatSetupError, EmulatorClient, findEmulatorUrl, RUNTIME_FILE } from './chat-client.js'
import { parseCommandLine } from '../../src/command-line.js'

export const USAGE = `Chat with the local bot as a Telegram user (the local runtime must be running: npm start).

  npm run chat                                   interactive: type messages, see the bot's replies (Ctrl+D quits)
  npm run chat -- "/register demo demo-token"    one message: print the bot's replies and exit; says so when the
                                                 bot answered nothing, and waits for the apology while it is retried

Options:
  --group             write in a group chat (id ${-1001}) instead of the private chat;
                      commands may then be addressed as /register@<bot username>
  --admin             with --group: the bot is an administrator that may delete messages
                      (without it, the bot is a plain member of the group)
  --as <sender>       with --group: write not as yourself but as Telegram shows these senders:
                      anonymous-admin (GroupAnonymousBot), channel (Channel_Bot), forward (an automatic
                      forward from a linked channel)
  --caption           send each message as the caption of a photo instead of as text
  --user <id>         your Telegram user id (default 1001)
  --name <name>       your first name (default "Dev User")
  --username <name>   your @username (default: none)
  --emulator <url>    the emulator's URL (default: read from ${RUNTIME_FILE})
  -h, --help          this text`

export const GROUP_CHAT = { id: -1001, type: 'group', title: 'Local dev group' } as const
/** The channel that `--as channel` posts as and `--as forward` forwards from. */
export const CHANNEL = { id: -1002001, type: 'channel', title: 'Local dev channel' } as const

const SHARED_SENDERS = ['anonymous-admin', 'channel', 'forward'] as const
export type SharedSender = typeof SHARED_SENDERS[number]
const isSharedSender = (value: string): value is SharedSender => (SHARED_SENDERS as readonly string[]).includes(value)

/** How Telegram writes a message of one of its shared senders in a group. */
function sharedSenderFields (sender: SharedSender): Pick<UserMessageInput, 'from' | 'sender_chat' | 'is_automatic_forward'> {
  if (sender === 'anonymous-admin') return { from: { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' }, sender_chat: { ...GROUP_CHAT } }
  if (sender === 'channel') return { from: { id: 136817688, is_bot: true, first_name: 'Channel', username: 'Channel_Bot' }, sender_chat: { ...CHANNEL } }
  return { from: { id: 777000, first_name: 'Telegram' }, sender_chat: { ...CHANNEL }, is_automatic_forward: true }
}

/** Bad command line: printed with the usage, exit 1. */
export class ChatUsageError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ChatUsageError'
  }
}

export interface ChatOptions {
  emulatorUrl?: string
  group: boolean
  admin: boolean
  /** With --group: one of Telegram's shared senders instead of the user. */
  as?: SharedSender
  caption: boolean
  userId: number
  firstName: string
  username?: string
  /** One-shot mode: this message is sent, the replies printed. */
  message?: string
  help: boolean
}

const CHAT_OPTIONS = {
  emulator: { type: 'string' },
  group: { type: 'boolean', default: false },
  admin: { type: 'boolean', default: false },
  as: { type: 'string' },
  caption: { type: 'boolean', default: false },
  user: { type: 'string', default: '1001' },
  name: { type: 'string', default: 'Dev User' },
  username: { type: 'string' }
} as const

export function parseChatArgs (argv: string[]): ChatOptions {
  let parsed
  try {
    parsed = parseCommandLine(argv, { command: 'npm run chat', usage: USAGE, options: CHAT_OPTIONS, positionals: true })
  } catch (error) {
    throw new ChatUsageError((error as Error).message)
  }
  if (parsed === undefined) return { group: false, admin: false, caption: false, userId: 1001, firstName: 'Dev User', help: true }
  const { values, positionals } = parsed
  if (!/^[1-9]\d{0,14}$/.test(values.user)) throw new ChatUsageError(`--user needs a positive integer id, got "${values.user}"`)
  const firstName = values.name.trim()
  if (firstName === '' || firstName.length > 64) throw new ChatUsageError('--name needs 1 to 64 characters')
  if (values.username !== undefined && !/^[A-Za-z][A-Za-z0-9_]{4,31}$/.test(values.username.replace(/^@/, ''))) {
    throw new ChatUsageError('--username needs 5 to 32 characters: letters, digits and _, starting with a letter')
  }
  if (values.admin && !values.group) throw new ChatUsageError('--admin applies to --group chats only (in a private chat the bot may always delete)')
  if (values.as !== undefined && !isSharedSender(values.as)) throw new ChatUsageError(`--as needs one of ${SHARED_SENDERS.join(', ')}, got "${values.as}"`)
  if (values.as !== undefined && !values.group) throw new ChatUsageError('--as applies to --group chats only')
  const message = positionals.join(' ').trim()
  return {
    ...(values.emulator === undefined ? {} : { emulatorUrl: values.emulator }),
    group: values.group,
    admin: values.admin,
    ...(values.as === undefined ? {} : { as: values.as as SharedSender }),
    caption: values.caption,
    userId: Number(values.user),
    firstName,
    ...(values.username === undefined ? {} : { username: values.username.replace(/^@/, '') }),
    ...(message === '' ? {} : { message }),
    help: false
  }
}

export interface ChatIo {
  out: (line: string) => void
  err: (line: string) => void
}

export interface ChatSession {
  client: EmulatorClient
  botUsername: string
  chat: NonNullable<UserMessageInput['chat']> & { id: number }
  from: UserMessageInput['from']
  /** A shared sender's `sender_chat` and `is_automatic_forward`, sent with every message. */
  onBehalf: Pick<UserMessageInput, 'sender_chat' | 'is_automatic_forward'>
  caption: boolean
}

/** What the session sends for a line the user typed. */
function messageOf (session: ChatSession, text: string): UserMessageInput {
  const { chat, from, onBehalf, caption } = session
  return { chat, from, ...onBehalf, ...(caption ? { caption: text } : { text }) }
}

/** Finds the emulator, asks it who the bot is, and prepares the chat (group rights included). */
export async function openSession (options: ChatOptions, runtimeFile = RUNTIME_FILE): Promise<ChatSession> {
  const client = new EmulatorClient(await findEmulatorUrl({ ...(options.emulatorUrl === undefined ? {} : { emulatorUrl: options.emulatorUrl }), runtimeFile }))
  const { botUsername } = await client.info()
  const chat = options.group ? { ...GROUP_CHAT } : { id: options.userId, type: 'private' as const }
  // The group's rights follow the flag on every run, so that what the bot may do is what was asked for.
  if (options.group) await client.setBotAdmin(chat.id, options.admin)
  return {
    client,
    botUsername,
    chat,
    ...(options.as === undefined
      ? { from: { id: options.userId, first_name: options.firstName, ...(options.username === undefined ? {} : { username: options.username }) }, onBehalf: {} }
      : (({ from, ...onBehalf }) => ({ from, onBehalf }))(sharedSenderFields(options.as))),
    caption: options.caption
  }
}

/** `bot> text`, with the lines of a multi-line message indented under the first. */
export function formatBotMessage (message: TgMessage): string {
  return `bot> ${(message.text ?? '(a message without text)').split('\n').join('\n     ')}`
}

export const DELETED_NOTE = '(your message was deleted by the bot)'

/** Prints each bot message once and each deletion of the user's own messages once. */
class Reporter {
  after = 0
  knownDeleted = 0
  private readonly mine = new Set<number>()
  private readonly reported = new Set<number>()
  private deleted: number[] = []
  private readonly show: (line: string) => void

  constructor (show: (line: string) => void) {
    this.show = show
  }

  /** Returns whether anything new was printed. */
  take (result: ChatPollResult): boolean {
    let news = false
    for (const message of result.messages) {
      if (message.message_id <= this.after) continue
      this.after = message.message_id
      this.show(formatBotMessage(message))
      news = true
    }
    this.knownDeleted = result.deleted_message_ids.length
    this.deleted = result.deleted_message_ids
    return this.noteDeletions() || news
  }

  sent (messageId: number): void {
    this.mine.add(messageId)
    this.noteDeletions()
  }

  private noteDeletions (): boolean {
    let news = false
    for (const id of this.deleted) {
      if (!this.mine.has(id) || this.reported.has(id)) continue
      this.reported.add(id)
      this.show(DELETED_NOTE)
      news = true
    }
    return news
  }
}

export interface OneShotTiming {
  /** Give up when no reply came and nothing was processed within this long. Default 10 s. (Also how long piped interactive input waits at its end.) */
  maxWaitMs: number
  /** After a reply, stop once nothing new came for this long. Default 1.5 s. */
  quietMs: number
  /**
   * Once the runtime reports a failed attempt, wait up to this long (from the message) for the retries to
   * end in a reply or the dead-letter apology. Default 120 s: the local queue's 5 receives, 10 s apart, and the DLQ.
   */
  retryWaitMs?: number
}

const DEFAULT_RETRY_WAIT_MS = 120_000
const DEFAULT_TIMING: OneShotTiming = { maxWaitMs: 10_000, quietMs: 1500, retryWaitMs: DEFAULT_RETRY_WAIT_MS }

/** How often the chat asks the emulator what became of a message while no reply came. */
const STATUS_INTERVAL_MS = 1000

export const NO_ANSWER_NOTE = '(the bot processed your message and sent no answer)'

/** `retryWaitMs`: how long one-shot mode now waits; the interactive chat goes on and prints what comes. */
export function retryingNote (failedAttempts: number, retryWaitMs?: number): string {
  const waiting = retryWaitMs === undefined ? '' : `: waiting up to ${Math.round(retryWaitMs / 1000)} s`
  return `(processing failed on attempt ${failedAttempts}; the runtime retries it, and the bot apologises if it keeps failing${waiting})`
}

/** Why one-shot mode got nothing: the webhook never took the message, or the runtime never processed it. */
export function nothingHappened (status: UpdateStatus, waitedMs: number): string {
  const seconds = Math.round(waitedMs / 1000)
  if (status.pending) {
    return `The bot's webhook did not accept this message within ${seconds} s${status.last_webhook_error === undefined ? '' : ` (last webhook error: ${status.last_webhook_error})`}: is \`npm start\` still running? Check its log.`
  }
  if (status.attempts.some((attempt) => attempt.outcome === 'dead-lettered')) {
    return 'The update was dead-lettered and the bot sent no apology: check the log of `npm start`.'
  }
  return `The local runtime did not process this message within ${seconds} s although its webhook accepted it: is \`npm start\` still running? Check its log.`
}

/** Whether the emulator has decided an update: never delivered, processed, or dead-lettered (every other attempt failed). */
function isDecided (status: UpdateStatus): boolean {
  return status.withheld !== undefined || status.attempts.some((attempt) => attempt.outcome !== 'failed')
}

/**
 * What to say of a decided update the bot did not answer: processed with no answer (not a fault), or
 * dead-lettered without an apology (a fault of the runtime, for standard error).
 */
function unansweredNote (status: UpdateStatus, waitedMs: number): { text: string, fault: boolean } {
  if (status.withheld !== undefined) return { text: `(Telegram does not deliver this message to the bot: ${status.withheld})`, fault: false }
  return status.attempts.some((attempt) => attempt.outcome === 'processed')
    ? { text: NO_ANSWER_NOTE, fault: false }
    : { text: nothingHappened(status, waitedMs), fault: true }
}

/**
 * Sends one message and prints the bot's replies. Without a reply, the emulator's record of the update
 * tells what happened: processed with no answer (exit 0), failed and being retried (waits for the
 * apology), or never processed (exit 1).
 */
export async function runOneShot (session: ChatSession, text: string, io: ChatIo, timing: OneShotTiming = DEFAULT_TIMING): Promise<number> {
  const { client, chat } = session
  const reporter = new Reporter(io.out)
  const sentAt = Date.now()
  const update = await client.send(messageOf(session, text))
  let deadline = sentAt + timing.maxWaitMs
  // Replies to this message have greater ids: earlier conversation is not printed again.
  reporter.after = update.message.message_id
  reporter.sent(update.message.message_id)
  let replied = false
  let failuresSeen = 0
  for (;;) {
    const remainingMs = deadline - Date.now()
    if (remainingMs <= 0) break
    const waitMs = Math.min(replied ? timing.quietMs : STATUS_INTERVAL_MS, remainingMs)
    const result = await client.poll(chat.id, { after: reporter.after, waitSeconds: waitMs / 1000, ...(replied ? { knownDeleted: reporter.knownDeleted } : {}) })
    const hadReply = result.messages.length > 0
    const news = reporter.take(result)
    if (replied && !news) break
    replied ||= hadReply
    if (replied) continue

    const status = await client.status(update.update_id)
    if (isDecided(status)) {
      // Processed (or dead-lettered): whatever the bot sent is in the chat by now.
      const last = await client.poll(chat.id, { after: reporter.after, waitSeconds: 0 })
      if (reporter.take(last)) return 0
      const note = unansweredNote(status, Date.now() - sentAt)
      if (note.fault) io.err(note.text)
      else io.out(note.text)
      return note.fault ? 1 : 0
    }
    const failures = status.attempts.length
    if (failures > failuresSeen) {
      failuresSeen = failures
      deadline = Math.max(deadline, sentAt + (timing.retryWaitMs ?? DEFAULT_RETRY_WAIT_MS))
      io.out(retryingNote(failures, deadline - sentAt))
    }
  }
  if (replied) return 0
  io.err(nothingHappened(await client.status(update.update_id), Date.now() - sentAt))
  return 1
}

export interface InteractiveStreams {
  input: Readable
  output: Writable & { isTTY?: boolean }
  /** Long-poll length of each request for replies. Default 25 s. */
  pollSeconds?: number
}

/** A readline chat: every line is sent as the user's message; the bot's replies are printed as they arrive. */
export async function runInteractive (session: ChatSession, io: ChatIo, streams: InteractiveStreams, timing: OneShotTiming = DEFAULT_TIMING): Promise<number> {
  const { client, chat, from, botUsername } = session
  const terminal = streams.output.isTTY === true
  // Start after what the chat already holds: an earlier session's replies are not printed again.
  const start = await client.poll(chat.id, { after: 0, waitSeconds: 0 })
  const where = chat.type === 'private'
    ? 'in a private chat'
    : `in the group "${GROUP_CHAT.title}" (${chat.id}); commands may be addressed as /command@${botUsername}`
  io.out(`Chatting with @${botUsername} as ${from.first_name} (user ${from.id}) ${where}. Ctrl+D quits.`)

  // From here on, no await until every listener is attached: piped input may be read at once.
  const rl = createInterface({ input: streams.input, output: streams.output, prompt: 'you> ', terminal })
  const closed = new Promise<void>((resolve) => { rl.once('close', resolve) })
  const prompt = (preserveCursor?: boolean): void => { if (terminal) rl.prompt(preserveCursor) }
  let lastNewsAt = 0
  const show = (line: string): void => {
    lastNewsAt = Date.now()
    if (terminal) streams.output.write('\r\x1b[2K')
    io.out(line)
    prompt(true)
  }
  const reporter = new Reporter(show)
  reporter.after = start.messages.at(-1)?.message_id ?? 0
  reporter.knownDeleted = start.deleted_message_ids.length

  const state = { exitCode: 0, lost: false }
  const stop = new AbortController()
  const polling = (async () => {
    while (!stop.signal.aborted) {
      try {
        reporter.take(await client.poll(chat.id, { after: reporter.after, waitSeconds: streams.pollSeconds ?? 25, knownDeleted: reporter.knownDeleted }, stop.signal))
      } catch (error) {
        if (stop.signal.aborted) return
        io.err((error as Error).message)
        state.exitCode = 1
        state.lost = true
        rl.close()
        return
      }
    }
  })()

  let sending = Promise.resolve()
  let lastSentId = 0
  // The last message the bot processed without answering (its note is printed): nothing more to wait for.
  let unansweredId = 0
  // Sent messages the emulator has not yet said were processed or dead-lettered.
  const undecided = new Set<number>()
  const watches: Array<Promise<void>> = []
  /**
   * Tells what became of a message, as one-shot mode does: failed and retried; processed with no
   * answer; dead-lettered without an apology. Replies carry no reference to the message they answer,
   * so "no answer" is said only of a message sent when every earlier one had been decided: otherwise
   * a reply to an earlier one may come after it.
   */
  const watchUpdate = async (update: { update_id: number, message: { message_id: number } }, judged: boolean, signal: AbortSignal): Promise<void> => {
    let failuresSeen = 0
    const sentAt = Date.now()
    try {
      while (!signal.aborted) {
        const status = await client.status(update.update_id).catch(() => undefined)
        if (status === undefined || signal.aborted) return
        if (isDecided(status)) {
          if (!judged || reporter.after > update.message.message_id) return
          if ((await client.poll(chat.id, { after: update.message.message_id, waitSeconds: 0 })).messages.length > 0) return
          const note = unansweredNote(status, Date.now() - sentAt)
          if (note.fault) io.err(note.text)
          else show(note.text)
          unansweredId = update.message.message_id
          return
        }
        if (status.attempts.length > failuresSeen) {
          failuresSeen = status.attempts.length
          show(retryingNote(failuresSeen))
        }
        await new Promise((resolve) => setTimeout(resolve, STATUS_INTERVAL_MS))
      }
    } finally {
      undecided.delete(update.message.message_id)
    }
  }
  rl.on('line', (line) => {
    const text = line.trim()
    if (text === '') {
      prompt()
      return
    }
    sending = sending.then(async () => {
      const update = await client.send(messageOf(session, text))
      lastSentId = update.message.message_id
      lastNewsAt = Date.now()
      reporter.sent(update.message.message_id)
      // Judged when nothing sent before it can still be answered after it.
      const judged = [...undecided].every((id) => reporter.after > id)
      undecided.add(update.message.message_id)
      watches.push(watchUpdate(update, judged, stop.signal))
    }).catch((error: unknown) => {
      io.err((error as Error).message)
    }).finally(() => { prompt() })
  })
  rl.on('SIGINT', () => { rl.close() })
  prompt()
  await closed
  await sending
  if (!terminal && !state.lost && lastSentId > 0) {
    // Piped input ended: give the bot time to answer the last message, as one-shot mode does.
    const deadline = Date.now() + timing.maxWaitMs
    const settled = (): boolean => unansweredId === lastSentId || (reporter.after > lastSentId && Date.now() - lastNewsAt >= timing.quietMs)
    while (!settled() && Date.now() < deadline && !state.lost) await new Promise((resolve) => setTimeout(resolve, 20))
  }
  stop.abort()
  await Promise.all([polling, ...watches])
  return state.exitCode
}

export interface MainDeps {
  runtimeFile?: string
  streams: InteractiveStreams
  timing?: OneShotTiming
}

/** The `npm run chat` command: returns the exit code. */
export async function main (argv: string[], io: ChatIo, deps: MainDeps): Promise<number> {
  let options: ChatOptions
  try {
    options = parseChatArgs(argv)
  } catch (error) {
    io.err(`error: ${(error as Error).message}`)
    return 1
  }
  if (options.help) {
    io.out(USAGE)
    return 0
  }
  try {
    const session = await openSession(options, deps.runtimeFile)
    return options.message === undefined
      ? await runInteractive(session, io, deps.streams, deps.timing)
      : await runOneShot(session, options.message, io, deps.timing)
  } catch (error) {
    if (!(error instanceof ChatSetupError)) throw error
    io.err(error.message)
    return 1
  }
}
