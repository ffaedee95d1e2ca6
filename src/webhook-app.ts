import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { buildApp, type BuildAppOptions } from './app.js'
import type { Config } from './config.js'
import updateQueue from './plugins/queue.js'
import telegramWebhook from './routes/telegram-webhook.js'

/**
 * The webhook's share of the app: the queue it sends updates to, and its route. Only the Api entry
 * and the local runtime serve it, so nothing that skips the webhook's checks holds a queue sender.
 */
export const webhookParts: Required<Pick<BuildAppOptions, 'plugins' | 'routes'>> = {
  plugins: [updateQueue],
  routes: [telegramWebhook as FastifyPluginAsync]
}

/** The Api's app: the shared plugins, the queue, `GET /health` and `POST /telegram/webhook`. It never listens. */
export function buildWebhookApp (config: Config, options: Omit<BuildAppOptions, 'plugins' | 'routes'> = {}): FastifyInstance {
  return buildApp(config, { ...options, ...webhookParts })
}
