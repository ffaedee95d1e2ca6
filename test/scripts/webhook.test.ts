import t from 'tap'
import { TELEGRAM_WEBHOOK } from '../../infra/settings.js'
import { describeWebhook, desiredWebhook, webhookMismatches } from '../../scripts/lib/webhook.js'

const desired = desiredWebhook('https://api.example.com', 'secret', ['message'])

t.test('the webhook to set: the handled update types as given, max_connections from infra/settings.ts', async (t) => {
  t.same(desiredWebhook('https://api.example.com', 'secret', ['edited_message', 'message']), {
    url: 'https://api.example.com/telegram/webhook',
    secret_token: 'secret',
    allowed_updates: ['edited_message', 'message'],
    max_connections: TELEGRAM_WEBHOOK.maxConnections
  })
})

t.test('no mismatch when Telegram has what was set, in any order', async (t) => {
  t.same(webhookMismatches(desired, { url: 'https://api.example.com/telegram/webhook', pending_update_count: 0, allowed_updates: ['message'], max_connections: 40 }), [])
})

t.test('each differing field is one mismatch', async (t) => {
  t.same(webhookMismatches(desired, { url: '', pending_update_count: 0, allowed_updates: ['message', 'callback_query'], max_connections: 100 }), [
    'url: expected "https://api.example.com/telegram/webhook", Telegram has ""',
    'allowed_updates: expected ["message"], Telegram has ["callback_query","message"]',
    'max_connections: expected 40, Telegram has 100'
  ])
})

t.test('describes an unset webhook plainly', async (t) => {
  const lines = describeWebhook({ url: '', pending_update_count: 0 })
  t.match(lines[0], '(none: the bot is not on a webhook)')
  t.match(lines.join('\n'), 'last_error_message:   (none)')
  t.match(lines.join('\n'), 'last_error_date:      never')
})
