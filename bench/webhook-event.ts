import type { APIGatewayProxyEventV2 } from 'aws-lambda'

/** A Telegram update as it arrives: `update_id` and one field named after its type. */
export interface Update {
  update_id: number
  [field: string]: unknown
}

/** The secret the test fixture carries in `x-telegram-bot-api-secret-token`; the Api entries are configured with it. */
export const FIXTURE_SECRET = 'fixture-webhook-secret_0123456789'

/** A private-chat text message update, shaped as Telegram sends it. */
export function textUpdate (updateId: number, userId: number, text: string): Update {
  const user = { id: userId, is_bot: false, first_name: `User ${userId}`, language_code: 'en' }
  return {
    update_id: updateId,
    message: { message_id: updateId % 1_000_000, from: user, chat: { id: userId, first_name: user.first_name, type: 'private' }, date: 1763785799, text }
  }
}

/** The API Gateway (HTTP API, payload v2) event `template` carrying `update` as its body. */
export function withUpdate (template: APIGatewayProxyEventV2, update: Update): APIGatewayProxyEventV2 {
  const body = JSON.stringify(update)
  return {
    ...template,
    headers: { ...template.headers, 'content-length': String(Buffer.byteLength(body)) },
    requestContext: { ...template.requestContext, requestId: `bench-${update.update_id}` },
    body,
    isBase64Encoded: false
  }
}
