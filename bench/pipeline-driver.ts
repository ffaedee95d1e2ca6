import { REPLIES } from '../src/commands/register.js'
import type { TelegramEmulator } from '../src/local/telegram-emulator.js'
import { round, summarize } from './stats.js'

export interface PipelineRun {
  users: number
  messagesPerUser: number
  updates: number
  /** First send → last reply. */
  seconds: number
  updatesPerSecond: number
  /** Send (the user's message enters the emulator) → the bot's reply reaches the emulator, ms. */
  latencyMs: { p50: number, p90: number, p99: number, max: number }
  /** Every user got every reply, in the order of their messages. */
  orderKept: boolean
  /**
   * CPU time (user + system, all threads) of the process running the bot per update: the cost that
   * other work on the machine cannot inflate the way it inflates wall time. In-process, it includes
   * the Telegram emulator and the SQS emulator.
   */
  cpuMsPerUpdate: number
  /** Set for a paced run: the rate the updates were sent at. */
  offeredPerSecond?: number
}

/** Platform accounts acc00…accNN (token tokNN) so that each message of a user gets its own reply text. */
export const account = (index: number): string => `acc${String(index).padStart(2, '0')}`

/**
 * Follows the emulator's Bot API calls as they arrive (the array is live; no per-waiter cloning of
 * chats): the time and text of every successful sendMessage, per chat, in arrival order.
 */
class ReplyLog {
  readonly byChat = new Map<number, Array<{ at: number, text: string }>>()
  count = 0
  private cursor = 0
  private readonly emulator: TelegramEmulator

  constructor (emulator: TelegramEmulator) {
    this.emulator = emulator
    this.cursor = emulator.calls.length
  }

  poll (): void {
    const calls = this.emulator.calls
    for (; this.cursor < calls.length; this.cursor++) {
      const call = calls[this.cursor]
      if (call === undefined || call.method !== 'sendMessage' || !call.response.ok) continue
      const chatId = Number(call.params.chat_id)
      const list = this.byChat.get(chatId) ?? []
      list.push({ at: call.at, text: String(call.params.text) })
      this.byChat.set(chatId, list)
      this.count++
    }
  }

  async waitFor (count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      this.poll()
      if (this.count >= count) return
      if (Date.now() > deadline) throw new Error(`pipeline: ${this.count} of ${count} replies after ${timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
}

export async function run (emulator: TelegramEmulator, firstUserId: number, users: number, messagesPerUser: number, timeoutMs: number, perSecond?: number): Promise<PipelineRun> {
  const log = new ReplyLog(emulator)
  const userIds = Array.from({ length: users }, (_, index) => firstUserId + index)
  // Interleaved as real traffic is: message k of every user, then message k + 1.
  const sends = Array.from({ length: messagesPerUser }, (_, k) => userIds.map((id) => ({ id, k }))).flat()
  const sentAt = new Map<number, number[]>(userIds.map((id) => [id, []]))
  const send = ({ id, k }: { id: number, k: number }): void => {
    sentAt.get(id)?.push(Date.now())
    emulator.sendUserMessage({ from: { id, first_name: `User ${id}` }, text: `/register ${account(k)} tok${String(k).padStart(2, '0')}` })
  }

  const started = Date.now()
  const cpuBefore = process.cpuUsage()
  if (perSecond === undefined) {
    for (const message of sends) send(message)
  } else {
    for (let index = 0; index < sends.length;) {
      const due = Math.min(sends.length, Math.floor(((Date.now() - started) / 1000) * perSecond) + 1)
      for (; index < due; index++) send(sends[index] as { id: number, k: number })
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  }
  await log.waitFor(sends.length, timeoutMs)
  const cpu = process.cpuUsage(cpuBefore)

  const latencies: number[] = []
  let orderKept = true
  let last = started
  for (const id of userIds) {
    const replies = log.byChat.get(id) ?? []
    const sent = sentAt.get(id) ?? []
    const expected = Array.from({ length: messagesPerUser }, (_, k) => REPLIES.registered(account(k)))
    if (replies.length !== expected.length || replies.some((reply, k) => reply.text !== expected[k])) orderKept = false
    // The chat as the emulator stores it must say the same.
    if (emulator.botMessages(id).map((message) => message.text).join('\n') !== expected.join('\n')) orderKept = false
    replies.forEach((reply, k) => {
      latencies.push(reply.at - (sent[k] ?? reply.at))
      last = Math.max(last, reply.at)
    })
  }
  const seconds = Math.max(0.001, (last - started) / 1000)
  const latency = summarize(latencies)
  return {
    users,
    messagesPerUser,
    updates: sends.length,
    seconds: round(seconds, 3),
    updatesPerSecond: round(sends.length / seconds, 1),
    latencyMs: { p50: latency.median, p90: latency.p90, p99: latency.p99, max: latency.max },
    orderKept,
    cpuMsPerUpdate: round((cpu.user + cpu.system) / 1000 / sends.length, 3),
    ...(perSecond === undefined ? {} : { offeredPerSecond: perSecond })
  }
}

export interface GroupChatterRun {
  groups: number
  users: number
  updates: number
  /** First send → the Worker has finished (deleted) the last of them. */
  seconds: number
  updatesPerSecond: number
  /** CPU (user + system) of this process per update: webhook, queue, Worker, both emulators. */
  cpuMsPerUpdate: number
  /** The bot answered none of them (they are not commands). */
  silent: boolean
}

/**
 * Non-command text in group chats, the traffic that dominates once the bot reads every message of its
 * groups: `users` members spread over `groups` supergroups each write `messagesPerUser` lines. The bot
 * answers none of them, so the run ends when the Worker has finished (`finished()` counts the records
 * it deleted from the queue) as many updates as were sent.
 */
export async function runGroupChatter (emulator: TelegramEmulator, finished: () => number, options: { firstUserId: number, groups: number, users: number, messagesPerUser: number, timeoutMs: number }): Promise<GroupChatterRun> {
  const { firstUserId, groups, users, messagesPerUser, timeoutMs } = options
  const repliesBefore = emulator.calls.filter((call) => call.method === 'sendMessage').length
  const finishedBefore = finished()
  const total = users * messagesPerUser
  const started = Date.now()
  const cpuBefore = process.cpuUsage()
  for (let k = 0; k < messagesPerUser; k++) {
    for (let index = 0; index < users; index++) {
      const id = firstUserId + index
      emulator.sendUserMessage({ from: { id, first_name: `Member ${id}` }, chat: { id: -1_000_000_000_000 - (index % groups), type: 'supergroup', title: `Group ${index % groups}` }, text: `message ${k} from ${id}` })
    }
  }
  const deadline = started + timeoutMs
  while (finished() - finishedBefore < total) {
    if (Date.now() > deadline) throw new Error(`pipeline: ${finished() - finishedBefore} of ${total} group messages finished after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const seconds = Math.max(0.001, (Date.now() - started) / 1000)
  const cpu = process.cpuUsage(cpuBefore)
  return {
    groups,
    users,
    updates: total,
    seconds: round(seconds, 3),
    updatesPerSecond: round(total / seconds, 1),
    cpuMsPerUpdate: round((cpu.user + cpu.system) / 1000 / total, 3),
    silent: emulator.calls.filter((call) => call.method === 'sendMessage').length === repliesBefore
  }
}
