import { functionDefaults } from './functions'
import type { Queues } from './queues'
import type { Secrets } from './secrets'
import { API } from './settings'

/** The Api function behind an HTTP API: `POST /telegram/webhook` and `GET /health`. */
export function createApi ({ queues, secrets }: { queues: Queues, secrets: Secrets }) {
  const isProd = $app.stage === 'prod'
  const handler = new sst.aws.Function('Api', {
    ...functionDefaults(),
    handler: 'src/lambda.handler',
    description: 'Telegram webhook (validate, enqueue) and health check',
    timeout: `${API.timeoutSeconds} seconds`,
    memory: `${API.memoryMb} MB`,
    // Internet-facing: it checks the webhook secret and enqueues. The bot token and the database
    // string are deliberately not linked.
    link: [queues.updates, secrets.telegramWebhookSecret]
  })

  const httpApi = new sst.aws.ApiGatewayV2('HttpApi', {
    // Telegram calls server to server; no browser origin needs CORS, so none is configured.
    cors: false,
    accessLog: { retention: isProd ? '3 months' : '1 week' },
    transform: {
      stage: (args) => {
        args.defaultRouteSettings = {
          throttlingRateLimit: API.throttlingRateLimit,
          throttlingBurstLimit: API.throttlingBurstLimit
        }
      }
    }
  })
  // One function serves both routes: pass its ARN, or SST would build a function per route.
  httpApi.route('POST /telegram/webhook', handler.arn)
  httpApi.route('GET /health', handler.arn)

  return { handler, httpApi }
}
