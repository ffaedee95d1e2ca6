import type { BotApiResponse, TelegramFault } from './types.js'

/** A Bot API error, answered as `{ ok: false, error_code, description[, parameters] }` with HTTP status = error_code. */
export class BotApiError extends Error {
  readonly errorCode: number
  readonly description: string
  readonly parameters: { retry_after?: number } | undefined

  constructor (errorCode: number, description: string, parameters?: { retry_after?: number }) {
    super(description)
    this.name = 'BotApiError'
    this.errorCode = errorCode
    this.description = description
    this.parameters = parameters
  }

  toResponse (): BotApiResponse {
    return {
      ok: false,
      error_code: this.errorCode,
      description: this.description,
      ...(this.parameters === undefined ? {} : { parameters: this.parameters })
    }
  }
}

/** A 400 with Telegram's "Bad Request: " prefix. */
export function badRequest (reason: string): BotApiError {
  return new BotApiError(400, `Bad Request: ${reason}`)
}

/** Telegram's wording for the status codes a fault can carry. */
const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout'
}

/** The error an injected fault produces: 429s carry `retry_after` in the description and in `parameters`. */
export function faultError (fault: TelegramFault): BotApiError {
  if (fault.error_code === 429 && 'retry_after' in fault) {
    return new BotApiError(429, fault.description ?? `Too Many Requests: retry after ${fault.retry_after}`, { retry_after: fault.retry_after })
  }
  return new BotApiError(fault.error_code, fault.description ?? DEFAULT_DESCRIPTIONS[fault.error_code] ?? 'Internal Server Error')
}

/** A request from the user side (tests, chat CLI) that the emulator cannot act on. */
export class EmulatorInputError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'EmulatorInputError'
  }
}
