import { LAMBDA_NODEJS } from './lambda-build'
import { ARCHITECTURE, METRICS_NAMESPACE, RUNTIME } from './settings'

/** What every function shares: runtime, CPU, JSON logs and the bundle format. */
export function functionDefaults (): Pick<sst.aws.FunctionArgs, 'runtime' | 'architecture' | 'logging' | 'environment' | 'nodejs'> {
  const isProd = $app.stage === 'prod'
  return {
    runtime: RUNTIME,
    architecture: ARCHITECTURE,
    logging: { format: 'json', retention: isProd ? '3 months' : '1 week' },
    environment: appEnvironment(),
    // esbuild settings and stand-ins: infra/lambda-build.ts (the bench and the bundle tests build with the same).
    nodejs: LAMBDA_NODEJS
  }
}

/** The `service` dimension of the bot's metrics: one per stage, as the dashboard charts them. */
export function metricsServiceName (): string {
  return `${$app.name}-${$app.stage}`
}

/** Non-secret settings, from the deploying shell (or `.env.<stage>`); see docs/design.md's configuration table. */
function appEnvironment (): Record<string, string> {
  const environment: Record<string, string> = {
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    POWERTOOLS_SERVICE_NAME: metricsServiceName(),
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE
  }
  // Saves a getMe call per cold start when known.
  if (process.env.TELEGRAM_BOT_USERNAME) environment.TELEGRAM_BOT_USERNAME = process.env.TELEGRAM_BOT_USERNAME
  return environment
}
