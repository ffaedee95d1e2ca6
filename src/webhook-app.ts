import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { buildApp, type BuildAppOptions } from './app.js'
import type { Config } from './config.js'
import updateQueue from './plugins/queue.js'
import telegramWebhook from './routes/telegram-webhook.js'

/**
 * The webhook's share of the app: the queue it sends updates to, and its route. Only the Api entry
 * and the local runtime serve it, so nothing that skips the webhook's checks holds a queue sender.
 */
const webhookParts: Required<Pick<BuildAppOptions, 'plugins' | 'routes'>> = {
  plugins: [updateQueue],
  routes: [telegramWebhook as FastifyPluginAsync]
}

/**
 * The Api's app: the shared plugins, the queue, `GET /health` and `POST /telegram/webhook`. It never
 * listens. `plugins` come after the queue: the local runtime (and the tests) add the worker's, so one
 * process plays all three functions.
 */
export function buildWebhookApp (config: Config, options: Omit<BuildAppOptions, 'routes'> = {}): FastifyInstance {
  return buildApp(config, { ...options, plugins: [...webhookParts.plugins, ...options.plugins ?? []], routes: webhookParts.routes })
}
