import { readFile } from 'node:fs/promises'
import type { ChatPollResult, MessageUpdate, UpdateStatus, UserMessageInput } from '../../src/local/telegram-emulator.js'

export { RUNTIME_FILE } from '../../src/local/runtime-file.js'

/** A problem the user can fix (runtime not started, emulator gone, bad input): printed as one line, exit 1. */
export class ChatSetupError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ChatSetupError'
  }
}

function httpUrl (value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined
  } catch {
    return undefined
  }
}

/** The emulator's base URL: `--emulator`, else the one the running local runtime wrote to `runtimeFile`. */
export async function findEmulatorUrl (options: { emulatorUrl?: string, runtimeFile: string }): Promise<string> {
  if (options.emulatorUrl !== undefined) {
    const url = httpUrl(options.emulatorUrl)
    if (url === undefined) throw new ChatSetupError(`--emulator needs an http(s) URL, got "${options.emulatorUrl}"`)
    return url
  }
  let content: string
  try {
    content = await readFile(options.runtimeFile, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ChatSetupError(`cannot read ${options.runtimeFile}: ${(error as Error).message}`)
    throw new ChatSetupError(`No local runtime found (${options.runtimeFile} is missing): run \`npm start\` first, then \`npm run chat\` again.`)
  }
  let runtime: unknown
  try {
    runtime = JSON.parse(content)
  } catch {
    runtime = undefined
  }
  const url = httpUrl((runtime as { emulatorUrl?: unknown } | undefined)?.emulatorUrl)
  if (url === undefined) {
    throw new ChatSetupError(`${options.runtimeFile} names no Telegram emulator (is the runtime using a real bot token?): restart \`npm start\` without TELEGRAM_BOT_TOKEN, or pass --emulator <url>.`)
  }
  return url
}

export interface EmulatorInfo {
  botId: number
  botUsername: string
  botFirstName?: string
}

export interface PollRequest {
  /** Only bot messages with a greater message_id. */
  after: number
  /** Long-poll up to this many seconds for a new bot message (or a new deletion, with `knownDeleted`). */
  waitSeconds: number
  /** How many deletions the caller has seen: one more also ends the wait. */
  knownDeleted?: number
}

/** The emulator's user side over HTTP (`/emulator/...`). */
export class EmulatorClient {
  readonly baseUrl: string

  constructor (baseUrl: string) {
    this.baseUrl = baseUrl
  }

  async info (): Promise<EmulatorInfo> {
    return await this.request<EmulatorInfo>('GET', '/emulator/info')
  }

  async send (message: UserMessageInput): Promise<MessageUpdate> {
    return (await this.request<{ update: MessageUpdate }>('POST', '/emulator/messages', message)).update
  }

  async poll (chatId: number, request: PollRequest, signal?: AbortSignal): Promise<ChatPollResult> {
    const query = new URLSearchParams({ after: String(request.after), wait: String(request.waitSeconds) })
    if (request.knownDeleted !== undefined) query.set('known_deleted', String(request.knownDeleted))
    return await this.request<ChatPollResult>('GET', `/emulator/chats/${chatId}/messages?${query.toString()}`, undefined, signal)
  }

  /** What became of an update: still queued, and what the local runtime reported about processing it. */
  async status (updateId: number): Promise<UpdateStatus> {
    return await this.request<UpdateStatus>('GET', `/emulator/updates/${updateId}`)
  }

  async setBotAdmin (chatId: number, canDeleteMessages: boolean): Promise<void> {
    await this.request('PUT', `/emulator/chats/${chatId}/admin`, { can_delete_messages: canDeleteMessages })
  }

  private async request<T> (method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let response: Response
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        ...(signal === undefined ? {} : { signal })
      })
    } catch (error) {
      if (signal?.aborted === true) throw error
      throw new ChatSetupError(`Cannot reach the Telegram emulator at ${this.baseUrl}: is \`npm start\` still running?`)
    }
    const answer = await response.json().catch(() => undefined) as (T & { message?: string }) | undefined
    if (!response.ok || answer === undefined) {
      throw new ChatSetupError(`The emulator refused ${method} ${path.split('?')[0] ?? ''}: ${response.status} ${answer?.message ?? response.statusText}`)
    }
    return answer
  }
}
