/**
 * The resource assertions of issue 5, as pure functions of a mocked deployment. Each returns the
 * problems it finds (none = pass), so the tests can show both that the real config passes and that
 * a deployment with one wrong setting fails.
 */
import { LEDGER } from '../../infra/settings.js'
import { commands } from '../../src/commands/index.js'
import type { NetworkPlacement } from '../../infra/stages.js'
import {
  arn, field, functionId, HANDLERS, lambda, lambdaByArn, ledgerTable, named, ofType, queue, QUEUES, redrivePolicy, roleOf,
  rulesOf, statementsOf, subscriptionsOf, TYPES, vpcConfigOf, type FunctionRole, type QueueName, type SecurityGroupRule
} from './deployment.js'
import type { MockDeployment, RecordedResource } from './mock-deploy.js'

export interface Check {
  title: string
  run: (deployment: MockDeployment) => string[]
}

const MAX_RECEIVE_COUNT = 5
/** UpdatesDlq's own limit also counts the receives a message carries over from Updates. */
const DEAD_LETTER_MAX_RECEIVE_COUNT = 10
const VISIBILITY_TO_TIMEOUT_RATIO = 6
const FIFO_MAX_BATCH = 10
const API_GATEWAY_MAX_TIMEOUT_SECONDS = 29
const OLDEST_MESSAGE_LIMIT_SECONDS = 300
/**
 * The metrics contract with the worker: the namespace, the names it emits under dimension `service`,
 * and the one it counts each command's outcomes in, under `service`, `command` and `outcome`.
 */
const METRICS_NAMESPACE = 'TelegramRegisterBot'
/** A side effect the ledger could not record (alarmed, not only charted). */
const LEDGER_COMPLETION_UNSAVED = 'LedgerCompletionUnsaved'
const BOT_METRICS = [LEDGER_COMPLETION_UNSAVED, 'UpdateAge', 'ReplyFailedAfterProcedure', 'LedgerHit']
const COMMAND_OUTCOME_METRIC = 'CommandOutcome'

/** A dashboard metric line's dimensions: the name and value pairs between the metric name and the rendering options. */
function dashboardDimensions (line: unknown[]): Record<string, unknown> {
  const pairs = line.slice(2).filter((item) => typeof item !== 'object' || item === null)
  return Object.fromEntries(pairs.flatMap((item, index) => index % 2 === 0 ? [[String(item), pairs[index + 1]]] : []))
}

/**
 * The command widgets against the registry (src/commands/index.ts): per command that declares outcomes,
 * one widget charting each outcome under the stage's service, and nothing charted that no command declares.
 */
function commandOutcomeProblems (widgets: Array<{ properties?: { title?: string, metrics?: unknown[][] } }>, service: string): string[] {
  const lines = widgets.flatMap((widget) => (widget.properties?.metrics ?? [])
    .filter((line) => line[0] === METRICS_NAMESPACE && line[1] === COMMAND_OUTCOME_METRIC)
    .map((line) => ({ title: widget.properties?.title, dimensions: dashboardDimensions(line) })))
  const key = (dimensions: Record<string, unknown>) => JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)))
  const declared = commands.flatMap((command) => command.outcomes.map((outcome) => ({ service, command: command.name, outcome })))
  const charted = new Set(lines.map((line) => key(line.dimensions)))
  return [
    ...declared.filter((dimensions) => !charted.has(key(dimensions)))
      .map(({ command, outcome }) => `not charted: ${COMMAND_OUTCOME_METRIC} of /${command}, outcome ${outcome}, for service=${service}`),
    ...lines.filter((line) => !declared.some((dimensions) => key(dimensions) === key(line.dimensions)))
      .map((line) => `charted but declared by no command of the registry: ${COMMAND_OUTCOME_METRIC} ${JSON.stringify(line.dimensions)}`),
    ...commands.filter((command) => command.outcomes.length > 0).flatMap((command) => {
      const titles = [...new Set(lines.filter((line) => line.dimensions.command === command.name).map((line) => line.title))]
      return problems([titles.length === 1, `/${command.name}'s outcomes are charted in ${titles.length} widgets (${titles.join(', ')}), expected one`])
    })
  ]
}

/** SQL Server's port: the only one the Worker may open to the database. */
const DATABASE_PORT = 1433
const HTTPS_PORT = 443
/** The functions that open no database: never in the VPC. */
const WITHOUT_DATABASE: FunctionRole[] = ['api', 'deadLetter']
const IPV4 = /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/

const sameSet = (actual: readonly unknown[] | undefined, expected: readonly unknown[]) =>
  JSON.stringify([...actual ?? []].map(String).sort()) === JSON.stringify([...expected].map(String).sort())
const placementOf = (deployment: MockDeployment): NetworkPlacement => deployment.stageSettings.network ?? { mode: 'public' }
const isTcp = (rule: SecurityGroupRule, port: number) => rule.protocol === 'tcp' && rule.fromPort === port && rule.toPort === port

/** Collects the messages of the conditions that do not hold. */
function problems (...conditions: Array<[boolean, string]>): string[] {
  return conditions.filter(([holds]) => !holds).map(([, message]) => message)
}

/** Which queue feeds which function. */
const CONSUMERS: Array<[QueueName, FunctionRole]> = [['Updates', 'worker'], ['UpdatesDlq', 'deadLetter']]

/**
 * What each function may read through SST links (secrets travel only this way). The internet-facing
 * Api holds no bot token and no database string; only the Api may send to Updates.
 */
const EXPECTED_LINKS: Record<FunctionRole, string[]> = {
  api: ['TELEGRAM_WEBHOOK_SECRET', 'Updates'],
  worker: ['DATABASE_CONNECTION_STRING', 'TELEGRAM_BOT_TOKEN', 'UpdateLedger'],
  deadLetter: ['TELEGRAM_BOT_TOKEN', 'UpdateLedger', 'UpdatesParked']
}
/**
 * The stage's SST secrets, named as the requirements' runbook sets them (`sst secret set TELEGRAM_BOT_TOKEN …`):
 * a secret under any other name would leave that runbook's values unused and the deploy without its secrets.
 */
const SECRETS = ['DATABASE_CONNECTION_STRING', 'TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET']

/** Telegram retries a webhook for up to 24 hours. */
const TELEGRAM_RETRY_SECONDS = 24 * 3600
/** The item calls of Powertools' DynamoDB persistence layer: all a ledger link may grant. */
const LEDGER_ACTIONS = ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']

export const checks = {
  updatesQueue: {
    title: 'Updates is FIFO, content-based deduplication off, retention set',
    run (deployment) {
      const updates = queue(deployment, 'Updates')
      return problems(
        [updates !== undefined, 'the Updates queue is missing'],
        [field(updates, 'fifoQueue') === true, 'Updates is not FIFO'],
        [field(updates, 'contentBasedDeduplication') !== true, 'Updates deduplicates by content; the design sends explicit ids'],
        [typeof field(updates, 'messageRetentionSeconds') === 'number', 'Updates has no explicit retention']
      )
    }
  },

  deadLetterChain: {
    title: 'Updates → UpdatesDlq after 5 receives → UpdatesParked after 10, all FIFO, retention set',
    run (deployment) {
      const [updates, deadLetters, parked] = QUEUES.map((name) => queue(deployment, name))
      const hop = (from: RecordedResource | undefined, to: RecordedResource | undefined, label: string, receives: number): Array<[boolean, string]> => {
        const policy = redrivePolicy(from)
        return [
          [policy?.deadLetterTargetArn !== undefined && policy.deadLetterTargetArn === arn(to), `${label}: wrong or missing dead-letter target`],
          [policy?.maxReceiveCount === receives, `${label}: maxReceiveCount is ${String(policy?.maxReceiveCount)}, not ${receives}`]
        ]
      }
      return problems(
        [field(deadLetters, 'fifoQueue') === true, 'UpdatesDlq is not FIFO (a FIFO queue needs a FIFO DLQ)'],
        [field(parked, 'fifoQueue') === true, 'UpdatesParked is not FIFO'],
        [typeof field(deadLetters, 'messageRetentionSeconds') === 'number', 'UpdatesDlq has no explicit retention'],
        [typeof field(parked, 'messageRetentionSeconds') === 'number', 'UpdatesParked has no explicit retention'],
        ...hop(updates, deadLetters, 'Updates → UpdatesDlq', MAX_RECEIVE_COUNT),
        ...hop(deadLetters, parked, 'UpdatesDlq → UpdatesParked', DEAD_LETTER_MAX_RECEIVE_COUNT)
      )
    }
  },

  visibilityTimeouts: {
    title: 'each consumed queue hides a message for ≥ 6 × its consumer\'s timeout',
    run (deployment) {
      return CONSUMERS.flatMap(([name]) => {
        const source = queue(deployment, name)
        const consumer = lambdaByArn(deployment, subscriptionsOf(deployment, source)[0]?.inputs.functionName)
        const visibility = field<number>(source, 'visibilityTimeoutSeconds') ?? 0
        const timeout = field<number>(consumer, 'timeout')
        return problems(
          [timeout !== undefined, `${name}: its consumer has no timeout`],
          [timeout !== undefined && visibility >= VISIBILITY_TO_TIMEOUT_RATIO * timeout, `${name}: visibility ${visibility} s < 6 × ${String(timeout)} s`]
        )
      })
    }
  },

  subscriptions: {
    title: 'Worker on Updates, DeadLetter on UpdatesDlq: batch ≤ 10, ReportBatchItemFailures, no window, a concurrency cap',
    run (deployment) {
      const parkedConsumers = subscriptionsOf(deployment, queue(deployment, 'UpdatesParked'))
      return [
        ...problems([parkedConsumers.length === 0, 'UpdatesParked must have no consumer']),
        ...CONSUMERS.flatMap(([name, role]) => {
          const mappings = subscriptionsOf(deployment, queue(deployment, name))
          const mapping = mappings[0]
          const consumer = lambdaByArn(deployment, field(mapping, 'functionName'))
          const batchSize = field<number>(mapping, 'batchSize')
          const window = field<number>(mapping, 'maximumBatchingWindowInSeconds')
          const maxConcurrency = field<{ maximumConcurrency?: number }>(mapping, 'scalingConfig')?.maximumConcurrency
          return problems(
            [mappings.length === 1, `${name}: ${mappings.length} subscriptions, expected 1`],
            [consumer !== undefined && consumer.inputs.handler === HANDLERS[role], `${name}: not consumed by ${HANDLERS[role]}`],
            [batchSize !== undefined && batchSize >= 1 && batchSize <= FIFO_MAX_BATCH, `${name}: batch size ${String(batchSize)} outside 1–10`],
            [(field<string[]>(mapping, 'functionResponseTypes') ?? []).includes('ReportBatchItemFailures'), `${name}: no partial batch responses`],
            [window === undefined || window === 0, `${name}: a batching window of ${String(window)} s (FIFO rejects it)`],
            [maxConcurrency !== undefined && maxConcurrency >= 2 && maxConcurrency <= 1000, `${name}: no maximum concurrency (2–1000)`]
          )
        })
      ]
    }
  },

  routes: {
    title: 'POST /telegram/webhook and GET /health, both to the Api function, payload v2',
    run (deployment) {
      const routes = ofType(deployment, TYPES.route)
      const apiArn = arn(lambda(deployment, 'api'))
      const keys = routes.map((route) => String(route.inputs.routeKey)).sort()
      return [
        ...problems([JSON.stringify(keys) === JSON.stringify(['GET /health', 'POST /telegram/webhook']), `routes are ${JSON.stringify(keys)}`]),
        ...routes.flatMap((route) => {
          const integration = ofType(deployment, TYPES.integration).find((candidate) => route.inputs.target === `integrations/${String(candidate.state.id)}`)
          return problems(
            [apiArn !== undefined && field(integration, 'integrationUri') === apiArn, `${String(route.inputs.routeKey)} does not reach the Api function`],
            [field(integration, 'payloadFormatVersion') === '2.0', `${String(route.inputs.routeKey)} does not use payload v2`]
          )
        })
      ]
    }
  },

  httpApi: {
    title: 'HTTP API: stage throttling, access logs with retention, no wildcard CORS',
    run (deployment) {
      const [api] = ofType(deployment, TYPES.api)
      const [stage] = ofType(deployment, TYPES.stage)
      const throttling = field<{ throttlingRateLimit?: number, throttlingBurstLimit?: number }>(stage, 'defaultRouteSettings')
      const logDestination = field<{ destinationArn?: string }>(stage, 'accessLogSettings')?.destinationArn
      const logGroup = ofType(deployment, TYPES.logGroup).find((group) => arn(group) === logDestination)
      const cors = field<{ allowOrigins?: string[] }>(api, 'corsConfiguration')
      return problems(
        [(throttling?.throttlingRateLimit ?? 0) > 0 && (throttling?.throttlingBurstLimit ?? 0) > 0, 'no stage throttling'],
        [logGroup !== undefined, 'no access log group'],
        [(field<number>(logGroup, 'retentionInDays') ?? 0) > 0, 'access logs are kept forever (no retention)'],
        [!(cors?.allowOrigins ?? []).includes('*'), 'CORS allows any origin']
      )
    }
  },

  secrets: {
    title: `the secrets are the runbook's ${SECRETS.join(', ')}`,
    run (deployment) {
      const secrets = ofType(deployment, TYPES.secret).map((secret) => secret.name).sort()
      return problems([JSON.stringify(secrets) === JSON.stringify(SECRETS), `secrets are ${JSON.stringify(secrets)}`])
    }
  },

  links: {
    title: 'links per function: the Api gets the webhook secret and Updates only, the Worker and DeadLetter never Updates',
    run (deployment) {
      return (Object.keys(EXPECTED_LINKS) as FunctionRole[]).flatMap((role) => {
        const build = deployment.builds.find((candidate) => candidate.handler === HANDLERS[role])
        const links = Object.keys(build?.links ?? {}).sort()
        return problems(
          [build !== undefined, `no function has the handler ${HANDLERS[role]}`],
          [JSON.stringify(links) === JSON.stringify(EXPECTED_LINKS[role]), `${role} links ${JSON.stringify(links)}, expected ${JSON.stringify(EXPECTED_LINKS[role])}`],
          [role !== 'api' || !links.includes('DATABASE_CONNECTION_STRING'), 'the Api function can read DATABASE_CONNECTION_STRING'],
          [role !== 'api' || !links.includes('TELEGRAM_BOT_TOKEN'), 'the Api function can read TELEGRAM_BOT_TOKEN'],
          [role === 'api' || !links.includes('Updates'), `${role} can send to Updates, skipping the webhook's checks`]
        )
      })
    }
  },

  queuePermissions: {
    title: 'IAM: linked queues are send-only, consumers can receive, nothing has sqs:*',
    run (deployment) {
      const queueArn = (name: QueueName) => arn(queue(deployment, name))
      const allows = (role: FunctionRole, action: string, resource: string | undefined) =>
        statementsOf(roleOf(deployment, role)).some((statement) => statement.Effect === 'Allow' && statement.Action.includes(action) && resource !== undefined && statement.Resource.includes(resource))
      const sqsActionsOf = (role: FunctionRole) => statementsOf(roleOf(deployment, role)).flatMap((statement) => statement.Action.filter((action) => action.startsWith('sqs:')))
      const wildcard = ofType(deployment, TYPES.role).flatMap((role) => statementsOf(role).flatMap((statement) => statement.Action)).filter((action) => action === '*' || action.endsWith(':*'))
      return problems(
        [wildcard.length === 0, `wildcard actions granted: ${wildcard.join(', ')}`],
        [sqsActionsOf('api').every((action) => ['sqs:SendMessage', 'sqs:GetQueueAttributes'].includes(action)), `the Api may ${sqsActionsOf('api').join(', ')}`],
        [allows('api', 'sqs:SendMessage', queueArn('Updates')), 'the Api cannot send to Updates'],
        [['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].every((action) => allows('worker', action, queueArn('Updates'))), 'the Worker cannot consume Updates'],
        [['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].every((action) => allows('deadLetter', action, queueArn('UpdatesDlq'))), 'the DeadLetter function cannot consume UpdatesDlq'],
        [allows('deadLetter', 'sqs:SendMessage', queueArn('UpdatesParked')), 'the DeadLetter function cannot send to UpdatesParked'],
        [!allows('worker', 'sqs:SendMessage', queueArn('Updates')), 'the Worker may send to Updates'],
        [!allows('deadLetter', 'sqs:SendMessage', queueArn('Updates')), 'the DeadLetter function may send to Updates']
      )
    }
  },

  functions: {
    title: 'functions: Node 24 on arm64, JSON logs with retention, timeouts and memory set',
    run (deployment) {
      return (Object.keys(HANDLERS) as FunctionRole[]).flatMap((role) => {
        const fn = lambda(deployment, role)
        const logGroup = named(deployment, TYPES.logGroup, `${String(functionId(deployment, role))}LogGroup`)
        const timeout = field<number>(fn, 'timeout') ?? 0
        return problems(
          [fn !== undefined, `no ${role} function`],
          [field(fn, 'runtime') === 'nodejs24.x', `${role}: runtime ${String(field(fn, 'runtime'))}`],
          [JSON.stringify(field(fn, 'architectures')) === '["arm64"]', `${role}: not arm64`],
          [field<{ logFormat?: string }>(fn, 'loggingConfig')?.logFormat === 'JSON', `${role}: logs are not JSON`],
          [(field<number>(logGroup, 'retentionInDays') ?? 0) > 0, `${role}: its log group keeps logs forever`],
          [timeout > 0 && (role !== 'api' || timeout <= API_GATEWAY_MAX_TIMEOUT_SECONDS), `${role}: timeout ${timeout} s`],
          [typeof field(fn, 'memorySize') === 'number', `${role}: no memory size`]
        )
      })
    }
  },

  bundles: {
    title: 'bundles: ESM with SST\'s createRequire banner only, SQL Server driver bundled, better-sqlite3 external',
    run (deployment) {
      return deployment.builds.flatMap((build) => {
        const nodejs = build.properties as { format?: string, banner?: string, install?: unknown, esbuild?: { external?: string[] } }
        const external = nodejs.esbuild?.external ?? []
        const installed = Object.keys(Array.isArray(nodejs.install) ? Object.fromEntries(nodejs.install.map((name: string) => [name, '*'])) : nodejs.install ?? {})
        const unbundled = [...external, ...installed].filter((name) => ['mssql', 'tedious'].includes(name))
        return problems(
          [nodejs.format === 'esm', `${build.functionID}: format ${String(nodejs.format)}`],
          // The CLI already prepends `const require = topLevelCreateRequire(...)` to ESM bundles.
          [!(nodejs.banner ?? '').includes('require'), `${build.functionID}: a banner that declares require a second time`],
          [external.includes('better-sqlite3'), `${build.functionID}: better-sqlite3 (native, local only) is not external`],
          [unbundled.length === 0, `${build.functionID}: ${unbundled.join(', ')} not bundled`]
        )
      })
    }
  },

  alarms: {
    title: 'alarms to the SNS topic: DLQ not empty, each parked arrival, worker errors, Api 5xx, oldest message > 5 min, each side effect the ledger could not record; the stage\'s e-mail subscribed',
    run (deployment) {
      const [topic] = ofType(deployment, TYPES.topic)
      const alarms = ofType(deployment, TYPES.alarm)
      const find = (namespace: string, metricName: string, dimension: string, value: unknown) => alarms.find((alarm) =>
        alarm.inputs.namespace === namespace && alarm.inputs.metricName === metricName && value !== undefined &&
        field<Record<string, unknown>>(alarm, 'dimensions')?.[dimension] === value)
      const queueName = (name: QueueName) => queue(deployment, name)?.state.name
      const dlq = find('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queueName('UpdatesDlq'))
      const workerErrors = find('AWS/Lambda', 'Errors', 'FunctionName', lambda(deployment, 'worker')?.state.name)
      const api5xx = find('AWS/ApiGateway', '5xx', 'ApiId', ofType(deployment, TYPES.api)[0]?.state.id)
      const oldest = find('AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', queueName('Updates'))
      const parkedArrivals = find('AWS/SQS', 'NumberOfMessagesSent', 'QueueName', queueName('UpdatesParked'))
      const unsaved = find(METRICS_NAMESPACE, LEDGER_COMPLETION_UNSAVED, 'service', `${deployment.app.name}-${deployment.app.stage}`)
      const firesAbove = (alarm: RecordedResource | undefined, limit: number) =>
        (alarm?.inputs.comparisonOperator === 'GreaterThanThreshold' && Number(alarm.inputs.threshold) <= limit) ||
        (alarm?.inputs.comparisonOperator === 'GreaterThanOrEqualToThreshold' && Number(alarm.inputs.threshold) <= limit + 1)
      // From the stage table: the deploying shell has no ALARM_EMAIL (runChild drops it).
      const email = deployment.stageSettings.alarmEmail
      const subscriptions = ofType(deployment, TYPES.topicSubscription)
      return problems(
        [dlq !== undefined && firesAbove(dlq, 0), 'no "UpdatesDlq not empty" alarm'],
        [workerErrors !== undefined && firesAbove(workerErrors, 0), 'no Worker errors alarm'],
        [api5xx !== undefined && firesAbove(api5xx, 0), 'no Api 5xx alarm'],
        [oldest !== undefined && firesAbove(oldest, OLDEST_MESSAGE_LIMIT_SECONDS), 'no "oldest update older than 5 minutes" alarm'],
        // Arrivals per period: an alarm on "not empty" stays in ALARM for the 14 days a parked update waits.
        [parkedArrivals !== undefined && parkedArrivals.inputs.statistic === 'Sum' && firesAbove(parkedArrivals, 0) && Number(parkedArrivals.inputs.period) <= 300, 'no alarm on each update arriving in UpdatesParked (NumberOfMessagesSent, Sum)'],
        // Each side effect the ledger could not record may be repeated by a redelivery: every one counts.
        [unsaved !== undefined && unsaved.inputs.statistic === 'Sum' && firesAbove(unsaved, 0) && Number(unsaved.inputs.period) <= 300, `no alarm on each ${LEDGER_COMPLETION_UNSAVED} (Sum, under the stage's service)`],
        [!alarms.some((alarm) => alarm.inputs.metricName === 'ApproximateNumberOfMessagesVisible' && field<Record<string, unknown>>(alarm, 'dimensions')?.QueueName === queueName('UpdatesParked')), 'an UpdatesParked "not empty" alarm, which stays in ALARM for 14 days'],
        [topic !== undefined && alarms.every((alarm) => (field<string[]>(alarm, 'alarmActions') ?? []).includes(String(arn(topic)))), 'an alarm does not notify the SNS topic'],
        [email === undefined
          ? subscriptions.length === 0
          : subscriptions.some((subscription) => subscription.inputs.protocol === 'email' && subscription.inputs.endpoint === email && subscription.inputs.topic === arn(topic)),
        `the stage's alarmEmail is ${String(email)} but subscriptions are ${JSON.stringify(subscriptions.map((subscription) => subscription.inputs.endpoint))}`]
      )
    }
  },

  stageProtection: {
    title: 'prod: removal retain, protected, queues and the ledger retained; other stages removable',
    run (deployment) {
      const isProd = deployment.app.stage === 'prod'
      const retained = QUEUES.filter((name) => queue(deployment, name)?.retainOnDelete === true)
      return problems(
        [deployment.app.removal === (isProd ? 'retain' : 'remove'), `removal is ${deployment.app.removal}`],
        [deployment.app.protect === isProd && deployment.outputs._protect === isProd, `protect is ${String(deployment.app.protect)}`],
        [retained.length === (isProd ? QUEUES.length : 0), `queues retained on delete: ${JSON.stringify(retained)}`],
        [(ledgerTable(deployment)?.retainOnDelete === true) === isProd, `the ledger table retained on delete: ${String(ledgerTable(deployment)?.retainOnDelete)}`]
      )
    }
  },

  ledgerTable: {
    title: 'UpdateLedger: hash key id (string), TTL on expiration, on demand, records outlive every way back',
    run (deployment) {
      const table = ledgerTable(deployment)
      const ttl = field<{ attributeName?: string, enabled?: boolean }>(table, 'ttl')
      const attributes = field<Array<{ name: string, type: string }>>(table, 'attributes') ?? []
      const longestWayBack = TELEGRAM_RETRY_SECONDS + QUEUES.reduce((sum, name) => sum + (field<number>(queue(deployment, name), 'messageRetentionSeconds') ?? Infinity), 0)
      return problems(
        [table !== undefined, 'the UpdateLedger table is missing'],
        [field(table, 'hashKey') === 'id' && JSON.stringify(attributes) === JSON.stringify([{ name: 'id', type: 'S' }]), `key schema ${JSON.stringify(attributes)} / ${String(field(table, 'hashKey'))}, expected id (S), as Powertools writes it`],
        [field(table, 'rangeKey') === undefined, 'a range key: Powertools writes only `id`'],
        [ttl?.attributeName === 'expiration' && ttl.enabled === true, `TTL is ${JSON.stringify(ttl)}, expected enabled on expiration`],
        [field(table, 'billingMode') === 'PAY_PER_REQUEST', `billing mode ${String(field(table, 'billingMode'))}, expected PAY_PER_REQUEST`],
        [LEDGER.expirySeconds > longestWayBack, `records expire after ${LEDGER.expirySeconds} s, but an update can come back for ${longestWayBack} s`]
      )
    }
  },

  ledgerAccess: {
    title: 'the ledger is linked to the Worker and the DeadLetter function only, with item calls only',
    run (deployment) {
      const tableArn = arn(ledgerTable(deployment))
      const linkedTo = deployment.builds.filter((build) => 'UpdateLedger' in build.links).map((build) => build.handler).sort()
      const dynamoActionsOf = (role: FunctionRole) => statementsOf(roleOf(deployment, role)).flatMap((statement) => statement.Action.filter((action) => action.startsWith('dynamodb:')))
      const canUse = (role: FunctionRole) => statementsOf(roleOf(deployment, role)).some((statement) =>
        statement.Effect === 'Allow' && tableArn !== undefined && statement.Resource.includes(tableArn) &&
        LEDGER_ACTIONS.every((action) => statement.Action.includes(action)))
      return problems(
        [JSON.stringify(linkedTo) === JSON.stringify([HANDLERS.deadLetter, HANDLERS.worker].sort()), `UpdateLedger linked to ${JSON.stringify(linkedTo)}`],
        [canUse('worker'), 'the Worker cannot read and write ledger records'],
        [canUse('deadLetter'), 'the DeadLetter function cannot read and write ledger records'],
        [dynamoActionsOf('api').length === 0, `the Api may ${dynamoActionsOf('api').join(', ')}`],
        [(['worker', 'deadLetter'] as const).every((role) => dynamoActionsOf(role).every((action) => LEDGER_ACTIONS.includes(action))), `DynamoDB actions beyond the item calls: ${[...dynamoActionsOf('worker'), ...dynamoActionsOf('deadLetter')].filter((action) => !LEDGER_ACTIONS.includes(action)).join(', ')}`]
      )
    }
  },

  app: {
    title: 'app: us-east-1, SST and AWS provider versions pinned to what is installed, nothing asked of a real CLI',
    run (deployment) {
      const aws = deployment.app.providers.aws ?? {}
      return problems(
        [aws.region === 'us-east-1', `region ${String(aws.region)}`],
        [deployment.app.version === deployment.installed.sst, `app version ${String(deployment.app.version)} but .sst/platform is ${deployment.installed.sst}: run npm run sst:install`],
        [aws.version === deployment.installed.awsProvider, `aws provider pinned to ${String(aws.version)} but ${deployment.installed.awsProvider} is installed: run npm run sst:install`],
        [deployment.unknownRpcMethods.length === 0, `the program called CLI methods the fake does not know: ${deployment.unknownRpcMethods.join(', ')}`]
      )
    }
  },

  // Operators (issue 11): the account guard, the dashboard and the outputs the runbook reads.

  accountGuard: {
    title: 'account guard: the AWS provider allows only the stage\'s account, with the stage\'s profile',
    run (deployment) {
      const aws = deployment.app.providers.aws ?? {}
      const expected = deployment.stageSettings
      return problems(
        [expected.accountId !== undefined && /^[0-9]{12}$/.test(expected.accountId), `the stage table names no account for ${deployment.app.stage}`],
        [JSON.stringify(aws.allowedAccountIds) === JSON.stringify([expected.accountId]), `allowedAccountIds ${JSON.stringify(aws.allowedAccountIds)}, expected only ${String(expected.accountId)}`],
        [aws.profile === expected.profile, `profile ${String(aws.profile)}, expected ${expected.profile}`]
      )
    }
  },

  dashboard: {
    title: 'dashboard: webhook, queue, Worker, dead letters, the bot\'s own metrics and each command\'s outcomes from the registry, under the service the functions emit as',
    run (deployment) {
      const dashboards = ofType(deployment, TYPES.dashboard)
      const body = JSON.parse(String(field(dashboards[0], 'dashboardBody') ?? '{"widgets":[]}')) as { widgets: Array<{ properties?: { title?: string, metrics?: unknown[][] } }> }
      const lines = body.widgets.flatMap((widget) => widget.properties?.metrics ?? [])
      // The exact dimension set: CloudWatch charts nothing for a metric asked for with more or fewer dimensions than it has.
      const charted = (namespace: string, metricName: string, dimension: string, value: unknown) => value !== undefined &&
        lines.some((line) => line[0] === namespace && line[1] === metricName && JSON.stringify(dashboardDimensions(line)) === JSON.stringify({ [dimension]: value }))
      const queueName = (name: QueueName) => queue(deployment, name)?.state.name
      const functionName = (role: FunctionRole) => lambda(deployment, role)?.state.name
      const apiId = ofType(deployment, TYPES.api)[0]?.state.id
      const service = `${deployment.app.name}-${deployment.app.stage}`
      const expected: Array<[string, string, string, unknown]> = [
        ...['Count', 'Latency', '4xx', '5xx'].map((name): [string, string, string, unknown] => ['AWS/ApiGateway', name, 'ApiId', apiId]),
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queueName('Updates')],
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', queueName('Updates')],
        ...['Duration', 'Errors', 'ConcurrentExecutions'].map((name): [string, string, string, unknown] => ['AWS/Lambda', name, 'FunctionName', functionName('worker')]),
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queueName('UpdatesDlq')],
        ['AWS/SQS', 'NumberOfMessagesSent', 'QueueName', queueName('UpdatesParked')],
        ...BOT_METRICS.map((name): [string, string, string, unknown] => [METRICS_NAMESPACE, name, 'service', service])
      ]
      const environments = (Object.keys(HANDLERS) as FunctionRole[]).map((role) =>
        [role, (field<{ variables?: Record<string, string> }>(lambda(deployment, role), 'environment')?.variables ?? {})] as const)
      return [
        ...problems(
          [dashboards.length === 1, `${dashboards.length} dashboards, expected 1`],
          [String(field(dashboards[0], 'dashboardName')).endsWith(`-${deployment.app.stage}`), `dashboard ${String(field(dashboards[0], 'dashboardName'))} does not name the stage`]
        ),
        ...expected.filter(([namespace, name, dimension, value]) => !charted(namespace, name, dimension, value))
          .map(([namespace, name, dimension, value]) => `not charted: ${namespace} ${name} for ${dimension}=${String(value)}`),
        ...commandOutcomeProblems(body.widgets, service),
        ...environments.flatMap(([role, variables]) => problems(
          [variables.POWERTOOLS_SERVICE_NAME === service, `${role}: POWERTOOLS_SERVICE_NAME ${String(variables.POWERTOOLS_SERVICE_NAME)}, the dashboard charts ${service}`],
          [variables.POWERTOOLS_METRICS_NAMESPACE === METRICS_NAMESPACE, `${role}: POWERTOOLS_METRICS_NAMESPACE ${String(variables.POWERTOOLS_METRICS_NAMESPACE)}`]
        ))
      ]
    }
  },

  outputs: {
    title: 'outputs: the dashboard URL, each function\'s name and log group, the ledger table, for the runbook',
    run (deployment) {
      const outputs = deployment.outputs
      const dashboardName = String(field(ofType(deployment, TYPES.dashboard)[0], 'dashboardName'))
      return [
        ...problems(
          [typeof outputs.dashboardUrl === 'string' && outputs.dashboardUrl.startsWith('https://') && outputs.dashboardUrl.endsWith(`#dashboards/dashboard/${dashboardName}`), `dashboardUrl ${String(outputs.dashboardUrl)} does not open ${dashboardName}`],
          [outputs.ledgerTableName !== undefined && outputs.ledgerTableName === ledgerTable(deployment)?.state.name, `ledgerTableName is ${String(outputs.ledgerTableName)}`]
        ),
        ...(Object.keys(HANDLERS) as FunctionRole[]).flatMap((role) => {
          const logGroup = named(deployment, TYPES.logGroup, `${String(functionId(deployment, role))}LogGroup`)
          const [name, group] = [outputs[`${role}FunctionName`], outputs[`${role}LogGroup`]]
          return problems(
            [name !== undefined && name === lambda(deployment, role)?.state.name, `${role}FunctionName is ${String(name)}`],
            [group !== undefined && group === logGroup?.state.name, `${role}LogGroup is ${String(group)}`]
          )
        })
      ]
    }
  },

  // ── Issue 12 (cold start, scale): the build every function shares, and the queues' throughput mode. ──

  lambdaBuild: {
    title: 'bundles: built from infra/lambda-build.ts (names not kept, the stand-ins plugin file)',
    run (deployment) {
      return deployment.builds.flatMap((build) => {
        const nodejs = build.properties as { plugins?: string, esbuild?: { keepNames?: boolean } }
        return problems(
          [nodejs.esbuild?.keepNames === false, `${build.functionID}: keepNames ${String(nodejs.esbuild?.keepNames)} (SST's default keeps them, a __name call per function at every cold start)`],
          [nodejs.plugins === 'infra/lambda-plugins.mjs', `${build.functionID}: plugins ${String(nodejs.plugins)}, not the stand-ins of infra/lambda-plugins.mjs`]
        )
      })
    }
  },

  queueThroughput: {
    title: 'Updates, UpdatesDlq and UpdatesParked in FIFO high-throughput mode (dedup per message group, limit per group)',
    run (deployment) {
      return QUEUES.flatMap((name) => {
        const resource = queue(deployment, name)
        return problems(
          [field(resource, 'deduplicationScope') === 'messageGroup', `${name}: deduplicationScope ${String(field(resource, 'deduplicationScope'))}`],
          [field(resource, 'fifoThroughputLimit') === 'perMessageGroupId', `${name}: fifoThroughputLimit ${String(field(resource, 'fifoThroughputLimit'))}`]
        )
      })
    }
  },

  // ── Issue 20 (network placement). ──

  networkPlacement: {
    title: 'network: only the Worker in a VPC, in the stage\'s private subnets, with a group of its own: out 1433 to the database only and 443, nothing in',
    run (deployment) {
      const placement = placementOf(deployment)
      const inVpc = (role: FunctionRole) => (vpcConfigOf(deployment, role)?.subnetIds ?? []).length > 0 || (vpcConfigOf(deployment, role)?.securityGroupIds ?? []).length > 0
      const outsiders = WITHOUT_DATABASE.filter(inVpc).map((role) => `${role} is in a VPC: it opens no database, and there it would need NAT for Telegram and SQS`)
      if (placement.mode === 'public') return [...outsiders, ...problems([!inVpc('worker'), 'the Worker is in a VPC, but the stage is public'])]

      const worker = vpcConfigOf(deployment, 'worker')
      const expectedSubnets = 'id' in placement.vpc
        ? placement.vpc.privateSubnetIds
        : ofType(deployment, TYPES.subnet).filter((subnet) => /PrivateSubnet[0-9]+$/.test(subnet.name)).map((subnet) => subnet.state.id)
      const groupIds = worker?.securityGroupIds ?? []
      const group = ofType(deployment, TYPES.securityGroup).find((candidate) => candidate.state.id === groupIds[0])
      const egress = rulesOf(group, 'egress')
      const { database } = placement
      const toDatabase = egress.filter((rule) => isTcp(rule, DATABASE_PORT))
      const onlyTheDatabase = (rule: SecurityGroupRule) => 'securityGroupId' in database
        ? sameSet(rule.securityGroups, [database.securityGroupId]) && (rule.cidrBlocks ?? []).length === 0
        : sameSet(rule.cidrBlocks, database.cidrBlocks) && (rule.securityGroups ?? []).length === 0
      const https = egress.filter((rule) => isTcp(rule, HTTPS_PORT))
      const beyond = egress.filter((rule) => !toDatabase.includes(rule) && !https.includes(rule))
      const managedPolicies = field<string[]>(roleOf(deployment, 'worker'), 'managedPolicyArns') ?? []
      return [...outsiders, ...problems(
        [expectedSubnets.length >= 2 && sameSet(worker?.subnetIds, expectedSubnets), `Worker subnets ${JSON.stringify(worker?.subnetIds)}, expected the stage's private subnets ${JSON.stringify(expectedSubnets)}`],
        [groupIds.length === 1 && group !== undefined, `Worker security groups ${JSON.stringify(groupIds)}: expected one group of its own`],
        [group === undefined || rulesOf(group, 'ingress').length === 0, `the Worker's group accepts inbound traffic: ${JSON.stringify(rulesOf(group, 'ingress'))}`],
        [toDatabase.length === 1 && toDatabase.every(onlyTheDatabase), `port ${DATABASE_PORT} open to ${JSON.stringify(toDatabase)}, expected only the database ${JSON.stringify(database)}`],
        [https.length === 1, `${https.length} rules for port ${HTTPS_PORT}, expected one`],
        [beyond.length === 0, `the Worker's group lets out more than ${DATABASE_PORT} and ${HTTPS_PORT}: ${JSON.stringify(beyond)}`],
        [managedPolicies.some((policy) => policy.endsWith('/AWSLambdaVPCAccessExecutionRole')), 'the Worker\'s role cannot create its network interfaces (AWSLambdaVPCAccessExecutionRole)']
      )]
    }
  },

  networkPath: {
    title: 'network path: public creates no network; a new VPC gets NAT of the chosen kind per AZ and the DynamoDB gateway endpoint; an existing one is looked up, not created; egress addresses output; nothing open to the internet',
    run (deployment) {
      const placement = placementOf(deployment)
      const outputs = deployment.outputs
      const network = deployment.resources.filter((resource) => resource.type.startsWith('aws:ec2/'))
      if (placement.mode === 'public') {
        return problems(
          [network.length === 0, `a public stage creates network resources: ${network.map((resource) => resource.name).join(', ')}`],
          [!('egressAddresses' in outputs) && !('workerSecurityGroupId' in outputs), 'a public stage outputs egress addresses or a security group it does not have']
        )
      }
      const endpoints = ofType(deployment, TYPES.vpcEndpoint)
      const endpointOn = (routeTableIds: readonly unknown[]) => endpoints.length === 1 && endpoints[0]?.inputs.vpcEndpointType === 'Gateway' &&
        endpoints[0].inputs.serviceName === 'com.amazonaws.us-east-1.dynamodb' && sameSet(field(endpoints[0], 'routeTableIds'), routeTableIds)
      const groups = [...ofType(deployment, TYPES.securityGroup), ...ofType(deployment, TYPES.defaultSecurityGroup)]
      const openToInternet = groups.filter((group) => rulesOf(group, 'ingress').some((rule) => (rule.cidrBlocks ?? []).includes('0.0.0.0/0') || (rule.ipv6CidrBlocks ?? []).includes('::/0')))
      const addresses = Array.isArray(outputs.egressAddresses) ? outputs.egressAddresses as unknown[] : undefined
      const common: Array<[boolean, string]> = [
        [addresses !== undefined && addresses.length > 0 && addresses.every((address) => IPV4.test(String(address))), `egressAddresses is ${JSON.stringify(outputs.egressAddresses)}, expected the public addresses the Worker leaves from`],
        [outputs.workerSecurityGroupId !== undefined && outputs.workerSecurityGroupId === vpcConfigOf(deployment, 'worker')?.securityGroupIds?.[0], `workerSecurityGroupId is ${String(outputs.workerSecurityGroupId)}`],
        [openToInternet.length === 0, `open to the internet: ${openToInternet.map((group) => group.name).join(', ')}`]
      ]
      if ('id' in placement.vpc) {
        const created = network.filter((resource) => resource.type !== TYPES.securityGroup && resource.type !== TYPES.vpcEndpoint)
        const asked = placement.vpc.dynamoDbEndpointRouteTableIds
        return problems(...common,
          [created.length === 0, `an existing VPC is looked up, not created: ${created.map((resource) => resource.name).join(', ')}`],
          [asked === undefined ? endpoints.length === 0 : endpointOn(asked), asked === undefined ? 'a DynamoDB endpoint the stage did not ask for' : 'no DynamoDB gateway endpoint on the route tables the stage names'])
      }
      const privateSubnets = ofType(deployment, TYPES.subnet).filter((subnet) => /PrivateSubnet[0-9]+$/.test(subnet.name))
      const privateTables = ofType(deployment, TYPES.routeTable).filter((table) => /PrivateRouteTable[0-9]+$/.test(table.name))
      const [nats, wrongKind] = placement.vpc.nat === 'managed'
        ? [ofType(deployment, TYPES.natGateway), ofType(deployment, TYPES.instance)]
        : [ofType(deployment, TYPES.instance).filter((instance) => instance.inputs.sourceDestCheck === false), ofType(deployment, TYPES.natGateway)]
      const throughNat = (table: RecordedResource) => (field<Array<Record<string, unknown>>>(table, 'routes') ?? [])
        .some((route) => route.cidrBlock === '0.0.0.0/0' && (route.natGatewayId !== undefined || route.networkInterfaceId !== undefined))
      const elasticIps = ofType(deployment, TYPES.elasticIp).map((ip) => ip.state.publicIp)
      const defaultGroupOpen = ofType(deployment, TYPES.defaultSecurityGroup).filter((group) => rulesOf(group, 'ingress').length > 0)
      return problems(...common,
        [privateSubnets.length >= 2 && nats.length === privateSubnets.length && wrongKind.length === 0, `${nats.length} NAT (${placement.vpc.nat}) for ${privateSubnets.length} private subnets, ${wrongKind.length} of the other kind`],
        [privateTables.length === privateSubnets.length && privateTables.every(throughNat), 'a private route table has no default route through NAT'],
        [endpointOn(privateTables.map((table) => table.state.id)), 'no DynamoDB gateway endpoint on every private route table'],
        [addresses !== undefined && sameSet(addresses, elasticIps), `egressAddresses ${JSON.stringify(addresses)} are not the NAT's Elastic IPs ${JSON.stringify(elasticIps)}`],
        [defaultGroupOpen.length === 0, 'the new VPC\'s default security group accepts inbound traffic'])
    }
  }
} satisfies Record<string, Check>

export type CheckId = keyof typeof checks
