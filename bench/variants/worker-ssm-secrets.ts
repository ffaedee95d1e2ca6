/** What-if: the Worker reading its secrets from SSM Parameter Store at cold start (see ssm-secrets.ts). */
import './ssm-secrets.js'
export { handler } from '../../src/worker/lambda.js'
