/**
 * The direct invocation `npm run db:verify -- --stage <stage>` sends the Worker, so that the contracts are
 * checked from where the database answers (a private network). Only an event of exactly this shape is one:
 * an SQS event has `Records`, and no record's body is ever looked at for it.
 */
export const VERIFICATION_REQUEST = { request: 'db:verify' } as const

export type VerificationRequest = typeof VERIFICATION_REQUEST

export function isVerificationRequest (event: unknown): event is VerificationRequest {
  return typeof event === 'object' && event !== null && !Array.isArray(event) &&
    Object.keys(event).length === 1 && (event as Record<string, unknown>).request === VERIFICATION_REQUEST.request
}
