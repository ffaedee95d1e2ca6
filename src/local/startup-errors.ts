/**
 * Start-up failures of the local runtime as one line that names the setting to change (a
 * StartupError), never a stack trace and never a value that came from a secret (Telegram's client
 * errors quote URLs that hold the bot token, so only their codes are used here).
 */
import { StartupError } from '../errors.js'

type SystemError = Error & { code?: string }

const HOST_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EADDRNOTAVAIL', 'EAI_FAIL'])

export interface ListenTarget {
  /** The server, as the user knows it. */
  what: string
  host: string
  port: number
  /** How the port follows from the settings: `PORT`, or `PORT + 1` for the emulator. */
  portSetting: 'PORT' | 'PORT + 1'
}

/** A server that could not listen, as the one line that says which setting to change; other errors unchanged. */
export function listenFailure (error: unknown, where: ListenTarget): unknown {
  const code = (error as SystemError).code
  const port = `port ${where.port} (${where.portSetting})`
  if (code === 'EADDRINUSE') {
    const fix = where.portSetting === 'PORT' ? 'set PORT to a free port' : 'set PORT to another value (PORT + 1 must be free too)'
    return new StartupError(`${where.what} cannot listen: ${port} is in use (another npm start?): stop it, or ${fix}`)
  }
  if (code === 'EACCES') {
    return new StartupError(`${where.what} cannot listen: ${port} needs privileges: set PORT to 1024 or above`)
  }
  if (code !== undefined && HOST_CODES.has(code)) {
    return new StartupError(`${where.what} cannot listen: HOST ${where.host} is not an address of this machine (${code}): set HOST to e.g. 127.0.0.1, or 0.0.0.0 for every interface`)
  }
  return error
}

/** The first Bot API call with a real token failed: the token was refused, or Telegram is out of reach. */
export function telegramFailure (error: unknown, apiRoot: string): unknown {
  const telegramCode = (error as { response?: { error_code?: unknown } }).response?.error_code
  if (telegramCode === 401 || telegramCode === 404) {
    return new StartupError(`Telegram at ${apiRoot} refused TELEGRAM_BOT_TOKEN (${String(telegramCode)}): check the token with @BotFather, or unset it to use the embedded emulator`)
  }
  const code = networkCode(error)
  if (code !== undefined) {
    return new StartupError(`Telegram's Bot API at ${apiRoot} is unreachable (${code}): check the network or TELEGRAM_API_ROOT, or unset TELEGRAM_BOT_TOKEN to use the embedded emulator`)
  }
  // Any other failure of node-fetch (an answer that is not JSON: a proxy's or a captive portal's page)
  // quotes the request URL, token included, in its message: only its type is kept.
  const fetchType = causes(error).find((cause) => cause.name === 'FetchError')?.type
  if (fetchType !== undefined) {
    return new StartupError(`Telegram's Bot API at ${apiRoot} gave an answer that is not the Bot API's (${String(fetchType)}): check TELEGRAM_API_ROOT, or unset TELEGRAM_BOT_TOKEN to use the embedded emulator`)
  }
  return error
}

type ClientError = SystemError & { cause?: unknown, type?: string }

/** The error and its causes (the retrying client wraps node-fetch's error in a TransientError), at most 5 deep. */
function causes (error: unknown): ClientError[] {
  const chain: ClientError[] = []
  for (let current = error as ClientError | undefined; current !== undefined && current !== null && chain.length < 5; current = current.cause as ClientError | undefined) chain.push(current)
  return chain
}

/** node-fetch (Telegraf's client) puts the system error code on the error or on its cause. */
function networkCode (error: unknown): string | undefined {
  for (const current of causes(error)) {
    if (typeof current.code === 'string' && /^E[A-Z_]+$/.test(current.code)) return current.code
    if (current.type === 'request-timeout' || current.name === 'AbortError' || current.name === 'TimeoutError') return 'timeout'
  }
  return undefined
}
