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
 * `registered`: linked. `rejected`: the platform refused the credentials (permanent, answered to the user).
 * Failures that may heal are thrown as TransientError instead.
 */
export type RegistrationOutcome = 'registered' | 'rejected'

/** The platform's registration contract (see docs/database.md), whatever database holds it. */
export interface RegistrationStore {
  register: (request: RegistrationRequest) => Promise<RegistrationOutcome>
  /** Health probe: resolves when the database answers. */
  check: (signal: AbortSignal) => Promise<void>
  close: () => Promise<void>
}
