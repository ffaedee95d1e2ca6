import { redactor } from './redact.js'

/** A Bot API method call. */
export type BotApi = <T>(method: string, params?: Record<string, unknown>) => Promise<T>

export interface BotApiOptions {
  token: string
  apiRoot: string
  /** Values that must never appear in an error (the token is always one). */
  secrets?: readonly string[]
  fetch?: typeof globalThis.fetch
}

/**
 * Calls the Bot API with plain fetch. The URL holds the token, so errors name only the method
 * and Telegram's description, with every secret redacted.
 */
export function createBotApi ({ token, apiRoot, secrets = [], fetch = globalThis.fetch }: BotApiOptions): BotApi {
  const redact = redactor([token, ...secrets])
  return async <T>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
    let response: Response
    try {
      response = await fetch(`${apiRoot}/bot${token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
        signal: AbortSignal.timeout(15_000)
      })
    } catch (error) {
      throw new Error(redact(`${method}: request failed (${(error as Error).message})`))
    }
    const body = await response.json().catch(() => undefined) as { ok?: boolean, result?: T, description?: string, error_code?: number } | undefined
    if (body?.ok !== true) {
      throw new Error(redact(`${method}: ${String(body?.error_code ?? response.status)} ${body?.description ?? response.statusText}`))
    }
    return body.result as T
  }
}
