import awsLambdaFastify from '@fastify/aws-lambda'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { loadConfig } from './config.js'
import { buildWebhookApp } from './webhook-app.js'

/**
 * The Api Lambda: API Gateway (HTTP API, payload v2) → the Fastify app. Built once per cold
 * start at module scope; `ready()` after the proxy so that plugins load during the init phase.
 */
const app = buildWebhookApp(loadConfig())
export const handler = awsLambdaFastify<APIGatewayProxyEventV2>(app, { callbackWaitsForEmptyEventLoop: false })
await app.ready()
