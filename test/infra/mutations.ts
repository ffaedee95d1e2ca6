/**
 * One wrong setting per entry, applied to a copy of a real mocked deployment: the named check must
 * report it. This is what shows that every assertion can fail.
 */
import type { CheckId } from './checks.js'
import { field, lambda, ledgerTable, named, ofType, queue, roleOf, rulesOf, TYPES, vpcConfigOf, type FunctionRole, type SecurityGroupRule, type Statement } from './deployment.js'
import type { MockDeployment, RecordedResource, VpcTestStage } from './mock-deploy.js'

export interface Mutation {
  check: CheckId
  change: string
  stage: 'dev' | 'prod'
  apply: (deployment: MockDeployment) => void
}

function required<T> (value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`mutation target missing: ${what}`)
  return value
}

const inputsOf = (resource: RecordedResource | undefined, what: string) => required(resource, what).inputs
const updates = (deployment: MockDeployment) => inputsOf(queue(deployment, 'Updates'), 'Updates')
const deadLetters = (deployment: MockDeployment) => inputsOf(queue(deployment, 'UpdatesDlq'), 'UpdatesDlq')
const workerMapping = (deployment: MockDeployment) => inputsOf(ofType(deployment, TYPES.eventSourceMapping)
  .find((mapping) => mapping.inputs.eventSourceArn === queue(deployment, 'Updates')?.state.arn), 'the Updates subscription')
const routeNamed = (deployment: MockDeployment, key: string) => inputsOf(ofType(deployment, TYPES.route).find((route) => route.inputs.routeKey === key), key)
const build = (deployment: MockDeployment, functionID: string) => required(deployment.builds.find((candidate) => candidate.functionID === functionID), functionID)
const table = (deployment: MockDeployment) => required(ledgerTable(deployment), 'UpdateLedgerTable')
const alarmOn = (deployment: MockDeployment, metricName: string) => required(ofType(deployment, TYPES.alarm).find((alarm) => alarm.inputs.metricName === metricName), metricName)

function setRedrive (inputs: Record<string, unknown>, change: Record<string, unknown>): void {
  inputs.redrivePolicy = JSON.stringify({ ...JSON.parse(String(inputs.redrivePolicy)), ...change })
}

function rewriteApiPolicy (deployment: MockDeployment, rewrite: (statement: Statement) => Statement): void {
  const policies = required(field<Array<{ policy: string }>>(roleOf(deployment, 'api'), 'inlinePolicies'), 'ApiRole policies')
  for (const policy of policies) {
    const document = JSON.parse(policy.policy) as { Statement: Statement[] }
    policy.policy = JSON.stringify({ ...document, Statement: document.Statement.map(rewrite) })
  }
}

function grant (deployment: MockDeployment, role: FunctionRole, action: string, resource: RecordedResource | undefined): void {
  const policies = required(field<Array<{ policy: string }>>(roleOf(deployment, role), 'inlinePolicies'), `${role} policies`)
  const statement: Statement = { Effect: 'Allow', Action: [action], Resource: [String(required(resource, 'queue').state.arn)] }
  policies.push({ policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) })
}

function rewriteDashboardLines (deployment: MockDeployment, rewrite: (line: unknown[]) => unknown[][]): void {
  const inputs = inputsOf(ofType(deployment, TYPES.dashboard)[0], 'the dashboard')
  const body = JSON.parse(String(inputs.dashboardBody)) as { widgets: Array<{ properties: { metrics: unknown[][] } }> }
  for (const widget of body.widgets) widget.properties.metrics = widget.properties.metrics.flatMap(rewrite)
  inputs.dashboardBody = JSON.stringify(body)
}

/** Moves the last line of the first widget charting command outcomes into a widget of its own. */
function splitCommandOutcomeWidget (deployment: MockDeployment): void {
  const inputs = inputsOf(ofType(deployment, TYPES.dashboard)[0], 'the dashboard')
  const body = JSON.parse(String(inputs.dashboardBody)) as { widgets: Array<{ properties: { title: string, metrics: unknown[][] } }> }
  const widget = required(body.widgets.find((candidate) => candidate.properties.metrics.some((line) => line[1] === 'CommandOutcome')), 'a command widget')
  body.widgets.push({ ...widget, properties: { ...widget.properties, title: 'More outcomes', metrics: [required(widget.properties.metrics.pop(), 'its last line')] } })
  inputs.dashboardBody = JSON.stringify(body)
}

const environmentOf = (deployment: MockDeployment, role: FunctionRole): Record<string, string> =>
  required((inputsOf(lambda(deployment, role), role).environment as { variables?: Record<string, string> } | undefined)?.variables, `${role} environment`)

export const mutations: Mutation[] = [
  { check: 'updatesQueue', stage: 'dev', change: 'content-based deduplication on', apply: (d) => { updates(d).contentBasedDeduplication = true } },
  { check: 'updatesQueue', stage: 'dev', change: 'Updates standard, not FIFO', apply: (d) => { updates(d).fifoQueue = false } },
  { check: 'updatesQueue', stage: 'dev', change: 'Updates retention left to the default', apply: (d) => { delete updates(d).messageRetentionSeconds } },

  { check: 'deadLetterChain', stage: 'dev', change: 'maxReceiveCount 3', apply: (d) => { setRedrive(updates(d), { maxReceiveCount: 3 }) } },
  { check: 'deadLetterChain', stage: 'dev', change: 'UpdatesDlq standard, not FIFO', apply: (d) => { deadLetters(d).fifoQueue = false } },
  { check: 'deadLetterChain', stage: 'dev', change: 'UpdatesDlq not redriven to UpdatesParked', apply: (d) => { delete deadLetters(d).redrivePolicy } },
  { check: 'deadLetterChain', stage: 'prod', change: 'Updates dead-letters into UpdatesParked directly', apply: (d) => { setRedrive(updates(d), { deadLetterTargetArn: queue(d, 'UpdatesParked')?.state.arn }) } },

  { check: 'visibilityTimeouts', stage: 'dev', change: 'Updates visibility 300 s (< 6 × 60 s)', apply: (d) => { updates(d).visibilityTimeoutSeconds = 300 } },
  { check: 'visibilityTimeouts', stage: 'prod', change: 'Worker timeout raised to 120 s alone', apply: (d) => { inputsOf(lambda(d, 'worker'), 'Worker').timeout = 120 } },
  { check: 'visibilityTimeouts', stage: 'dev', change: 'UpdatesDlq visibility 30 s', apply: (d) => { deadLetters(d).visibilityTimeoutSeconds = 30 } },

  { check: 'subscriptions', stage: 'dev', change: 'batch size 11', apply: (d) => { workerMapping(d).batchSize = 11 } },
  { check: 'subscriptions', stage: 'dev', change: 'no ReportBatchItemFailures', apply: (d) => { workerMapping(d).functionResponseTypes = [] } },
  { check: 'subscriptions', stage: 'dev', change: 'a 5 s batching window', apply: (d) => { workerMapping(d).maximumBatchingWindowInSeconds = 5 } },
  { check: 'subscriptions', stage: 'prod', change: 'no maximum concurrency', apply: (d) => { delete workerMapping(d).scalingConfig } },
  { check: 'subscriptions', stage: 'dev', change: 'Updates consumed by the DeadLetter function', apply: (d) => { workerMapping(d).functionName = lambda(d, 'deadLetter')?.state.arn } },
  {
    check: 'subscriptions',
    stage: 'dev',
    change: 'a consumer on UpdatesParked',
    apply: (d) => { d.resources.push({ ...structuredClone(required(ofType(d, TYPES.eventSourceMapping)[0], 'a mapping')), inputs: { ...workerMapping(d), eventSourceArn: queue(d, 'UpdatesParked')?.state.arn } }) }
  },

  { check: 'routes', stage: 'dev', change: 'GET /healthz instead of GET /health', apply: (d) => { routeNamed(d, 'GET /health').routeKey = 'GET /healthz' } },
  { check: 'routes', stage: 'dev', change: 'an extra ANY /{proxy+} route', apply: (d) => { d.resources.push({ ...structuredClone(required(ofType(d, TYPES.route)[0], 'a route')), name: 'Extra', inputs: { routeKey: 'ANY /{proxy+}' } }) } },
  {
    check: 'routes',
    stage: 'prod',
    change: 'the webhook integrated with the Worker',
    apply: (d) => {
      const target = String(routeNamed(d, 'POST /telegram/webhook').target)
      const integration = required(ofType(d, TYPES.integration).find((candidate) => target === `integrations/${String(candidate.state.id)}`), 'webhook integration')
      integration.inputs.integrationUri = lambda(d, 'worker')?.state.arn
    }
  },

  { check: 'httpApi', stage: 'dev', change: 'CORS for any origin', apply: (d) => { inputsOf(ofType(d, TYPES.api)[0], 'the API').corsConfiguration = { allowOrigins: ['*'] } } },
  { check: 'httpApi', stage: 'prod', change: 'no stage throttling', apply: (d) => { delete inputsOf(ofType(d, TYPES.stage)[0], 'the stage').defaultRouteSettings } },
  { check: 'httpApi', stage: 'dev', change: 'access logs kept forever', apply: (d) => { inputsOf(named(d, TYPES.logGroup, 'HttpApiAccessLog'), 'HttpApiAccessLog').retentionInDays = 0 } },

  { check: 'links', stage: 'dev', change: 'the Api linked to DATABASE_CONNECTION_STRING', apply: (d) => { build(d, 'Api').links.DATABASE_CONNECTION_STRING = 'sst.sst.Secret' } },
  { check: 'links', stage: 'prod', change: 'the Worker without DATABASE_CONNECTION_STRING', apply: (d) => { delete build(d, 'Worker').links.DATABASE_CONNECTION_STRING } },
  { check: 'links', stage: 'dev', change: 'the DeadLetter function linked to DATABASE_CONNECTION_STRING', apply: (d) => { build(d, 'DeadLetter').links.DATABASE_CONNECTION_STRING = 'sst.sst.Secret' } },
  { check: 'links', stage: 'prod', change: 'the Api linked to TELEGRAM_BOT_TOKEN (the old derived secret)', apply: (d) => { build(d, 'Api').links.TELEGRAM_BOT_TOKEN = 'sst.sst.Secret' } },
  { check: 'links', stage: 'dev', change: 'the Api without TELEGRAM_WEBHOOK_SECRET', apply: (d) => { delete build(d, 'Api').links.TELEGRAM_WEBHOOK_SECRET } },
  { check: 'links', stage: 'dev', change: 'the Worker linked to Updates', apply: (d) => { build(d, 'Worker').links.Updates = 'sst.aws.Queue' } },
  { check: 'links', stage: 'prod', change: 'the DeadLetter function linked to Updates', apply: (d) => { build(d, 'DeadLetter').links.Updates = 'sst.aws.Queue' } },
  { check: 'secrets', stage: 'dev', change: 'no TELEGRAM_WEBHOOK_SECRET secret', apply: (d) => { d.resources = d.resources.filter((resource) => !(resource.type === TYPES.secret && resource.name === 'TELEGRAM_WEBHOOK_SECRET')) } },
  { check: 'secrets', stage: 'prod', change: 'the bot token under its old name TelegramBotToken', apply: (d) => { required(named(d, TYPES.secret, 'TELEGRAM_BOT_TOKEN'), 'TELEGRAM_BOT_TOKEN').name = 'TelegramBotToken' } },

  { check: 'queuePermissions', stage: 'dev', change: 'SST\'s default sqs:* queue link', apply: (d) => { rewriteApiPolicy(d, (statement) => ({ ...statement, Action: ['sqs:*'] })) } },
  { check: 'queuePermissions', stage: 'dev', change: 'the Api may receive from Updates', apply: (d) => { rewriteApiPolicy(d, (statement) => ({ ...statement, Action: [...statement.Action, 'sqs:ReceiveMessage'] })) } },
  { check: 'queuePermissions', stage: 'prod', change: 'the Worker role without receive permissions', apply: (d) => { inputsOf(roleOf(d, 'worker'), 'WorkerRole').inlinePolicies = [] } },
  { check: 'queuePermissions', stage: 'dev', change: 'the Worker may send to Updates', apply: (d) => { grant(d, 'worker', 'sqs:SendMessage', queue(d, 'Updates')) } },
  { check: 'queuePermissions', stage: 'prod', change: 'the DeadLetter function may send to Updates', apply: (d) => { grant(d, 'deadLetter', 'sqs:SendMessage', queue(d, 'Updates')) } },

  { check: 'functions', stage: 'dev', change: 'the Worker on nodejs20.x', apply: (d) => { inputsOf(lambda(d, 'worker'), 'Worker').runtime = 'nodejs20.x' } },
  { check: 'functions', stage: 'dev', change: 'the Api on x86_64', apply: (d) => { inputsOf(lambda(d, 'api'), 'Api').architectures = ['x86_64'] } },
  { check: 'functions', stage: 'prod', change: 'text logs', apply: (d) => { inputsOf(lambda(d, 'deadLetter'), 'DeadLetter').loggingConfig = { logFormat: 'Text' } } },
  { check: 'functions', stage: 'dev', change: 'an Api timeout beyond API Gateway\'s 29 s', apply: (d) => { inputsOf(lambda(d, 'api'), 'Api').timeout = 60 } },
  { check: 'functions', stage: 'dev', change: 'Worker logs kept forever', apply: (d) => { inputsOf(named(d, TYPES.logGroup, 'WorkerLogGroup'), 'WorkerLogGroup').retentionInDays = 0 } },

  { check: 'bundles', stage: 'dev', change: 'a second createRequire banner', apply: (d) => { build(d, 'Worker').properties.banner = 'import { createRequire } from \'module\'; const require = createRequire(import.meta.url);' } },
  { check: 'bundles', stage: 'dev', change: 'mssql installed instead of bundled', apply: (d) => { build(d, 'Worker').properties.install = { mssql: '*' } } },
  { check: 'bundles', stage: 'dev', change: 'better-sqlite3 bundled', apply: (d) => { build(d, 'Api').properties.esbuild = { external: [] } } },
  { check: 'bundles', stage: 'prod', change: 'CommonJS output', apply: (d) => { build(d, 'DeadLetter').properties.format = 'cjs' } },

  { check: 'alarms', stage: 'dev', change: 'no UpdatesDlq alarm', apply: (d) => { d.resources = d.resources.filter((resource) => resource.name !== 'UpdatesDlqNotEmpty') } },
  { check: 'alarms', stage: 'dev', change: 'oldest-message threshold 10 minutes', apply: (d) => { alarmOn(d, 'ApproximateAgeOfOldestMessage').inputs.threshold = 600 } },
  { check: 'alarms', stage: 'dev', change: 'the Worker errors alarm watching the Api', apply: (d) => { inputsOf(named(d, TYPES.alarm, 'WorkerErrors'), 'WorkerErrors').dimensions = { FunctionName: lambda(d, 'api')?.state.name } } },
  { check: 'alarms', stage: 'prod', change: 'no Api 5xx alarm', apply: (d) => { alarmOn(d, '5xx').inputs.metricName = '4xx' } },
  { check: 'alarms', stage: 'prod', change: 'an alarm without actions', apply: (d) => { alarmOn(d, 'Errors').inputs.alarmActions = [] } },
  { check: 'alarms', stage: 'prod', change: 'the stage\'s alarmEmail not subscribed (as when it came from a shell without ALARM_EMAIL)', apply: (d) => { d.resources = d.resources.filter((resource) => resource.type !== TYPES.topicSubscription) } },
  { check: 'alarms', stage: 'dev', change: 'a subscription where the stage names no alarmEmail', apply: (d) => { d.resources.push({ type: TYPES.topicSubscription, name: 'Extra', custom: true, inputs: { protocol: 'email', endpoint: 'someone@example.com' }, state: {}, retainOnDelete: false, protect: false }) } },
  { check: 'alarms', stage: 'prod', change: 'the parked alarm back on "not empty"', apply: (d) => { alarmOn(d, 'NumberOfMessagesSent').inputs.metricName = 'ApproximateNumberOfMessagesVisible' } },
  { check: 'alarms', stage: 'dev', change: 'no alarm on a side effect the ledger could not record', apply: (d) => { d.resources = d.resources.filter((resource) => resource.name !== 'LedgerCompletionUnsaved') } },
  { check: 'alarms', stage: 'prod', change: 'the ledger alarm under another service', apply: (d) => { alarmOn(d, 'LedgerCompletionUnsaved').inputs.dimensions = { service: 'telegram-register-bot-dev' } } },
  { check: 'alarms', stage: 'dev', change: 'the parked alarm on the Maximum of arrivals', apply: (d) => { alarmOn(d, 'NumberOfMessagesSent').inputs.statistic = 'Maximum' } },

  { check: 'stageProtection', stage: 'prod', change: 'prod not protected', apply: (d) => { d.app.protect = false } },
  { check: 'stageProtection', stage: 'prod', change: 'prod removal "remove"', apply: (d) => { d.app.removal = 'remove' } },
  { check: 'stageProtection', stage: 'prod', change: 'a prod queue deleted with the stack', apply: (d) => { required(queue(d, 'UpdatesParked'), 'UpdatesParked').retainOnDelete = false } },
  { check: 'stageProtection', stage: 'dev', change: 'dev protected', apply: (d) => { d.app.protect = true } },

  { check: 'stageProtection', stage: 'prod', change: 'the prod ledger deleted with the stack', apply: (d) => { table(d).retainOnDelete = false } },

  { check: 'ledgerTable', stage: 'dev', change: 'no ledger table', apply: (d) => { d.resources = d.resources.filter((resource) => resource.type !== TYPES.table) } },
  { check: 'ledgerTable', stage: 'dev', change: 'TTL off', apply: (d) => { delete table(d).inputs.ttl } },
  { check: 'ledgerTable', stage: 'prod', change: 'TTL on another attribute', apply: (d) => { table(d).inputs.ttl = { attributeName: 'expireAt', enabled: true } } },
  { check: 'ledgerTable', stage: 'prod', change: 'provisioned capacity', apply: (d) => { table(d).inputs.billingMode = 'PROVISIONED' } },
  { check: 'ledgerTable', stage: 'dev', change: 'hash key pk', apply: (d) => { table(d).inputs.hashKey = 'pk'; table(d).inputs.attributes = [{ name: 'pk', type: 'S' }] } },
  { check: 'ledgerTable', stage: 'dev', change: 'parked updates kept longer than the ledger remembers', apply: (d) => { inputsOf(queue(d, 'UpdatesParked'), 'UpdatesParked').messageRetentionSeconds = 40 * 24 * 3600 } },

  { check: 'ledgerAccess', stage: 'dev', change: 'the Api linked to UpdateLedger', apply: (d) => { build(d, 'Api').links.UpdateLedger = 'sst.aws.Dynamo' } },
  { check: 'ledgerAccess', stage: 'prod', change: 'the DeadLetter function not linked', apply: (d) => { delete build(d, 'DeadLetter').links.UpdateLedger } },
  {
    check: 'ledgerAccess',
    stage: 'dev',
    change: 'SST\'s default dynamodb:* link on the Worker',
    apply: (d) => {
      for (const policy of required(field<Array<{ policy: string }>>(roleOf(d, 'worker'), 'inlinePolicies'), 'WorkerRole policies')) {
        const document = JSON.parse(policy.policy) as { Statement: Statement[] }
        policy.policy = JSON.stringify({ ...document, Statement: document.Statement.map((statement) => statement.Action.some((action) => action.startsWith('dynamodb:')) ? { ...statement, Action: ['dynamodb:*'] } : statement) })
      }
    }
  },

  { check: 'app', stage: 'dev', change: 'region us-west-2', apply: (d) => { d.app.providers.aws = { ...d.app.providers.aws, region: 'us-west-2' } } },
  { check: 'app', stage: 'dev', change: 'an SST version other than the installed one', apply: (d) => { d.app.version = '4.0.0' } },
  { check: 'app', stage: 'dev', change: 'an unknown CLI call', apply: (d) => { d.unknownRpcMethods.push('Runtime.Something') } },

  // Operators (issue 11).
  { check: 'accountGuard', stage: 'dev', change: 'no allowedAccountIds', apply: (d) => { delete required(d.app.providers.aws, 'aws provider').allowedAccountIds } },
  { check: 'accountGuard', stage: 'prod', change: 'prod allowed into the dev account as well', apply: (d) => { required(d.app.providers.aws, 'aws provider').allowedAccountIds = ['123456789012', '111111111111'] } },
  { check: 'accountGuard', stage: 'prod', change: 'the profile from the shell, not the stage', apply: (d) => { delete required(d.app.providers.aws, 'aws provider').profile } },
  { check: 'accountGuard', stage: 'dev', change: 'a stage table without the account', apply: (d) => { d.stageSettings = { profile: d.stageSettings.profile } } },

  { check: 'dashboard', stage: 'dev', change: 'no dashboard', apply: (d) => { d.resources = d.resources.filter((resource) => resource.type !== TYPES.dashboard) } },
  { check: 'dashboard', stage: 'prod', change: '/register\'s rejected outcome not charted', apply: (d) => { rewriteDashboardLines(d, (line) => line[1] === 'CommandOutcome' && line.includes('rejected') ? [] : [line]) } },
  { check: 'dashboard', stage: 'dev', change: 'an outcome /register does not declare charted', apply: (d) => { rewriteDashboardLines(d, (line) => line[1] === 'CommandOutcome' && line.includes('rejected') ? [line, line.map((item) => item === 'rejected' ? 'expired' : item)] : [line]) } },
  { check: 'dashboard', stage: 'prod', change: '/register\'s outcomes charted without the command dimension', apply: (d) => { rewriteDashboardLines(d, (line) => [line[1] === 'CommandOutcome' ? line.filter((item, index) => !(item === 'command' || line[index - 1] === 'command')) : line]) } },
  { check: 'dashboard', stage: 'prod', change: '/register\'s outcomes split over two widgets', apply: (d) => { splitCommandOutcomeWidget(d) } },
  { check: 'dashboard', stage: 'dev', change: 'LedgerHit charted with an extra dimension', apply: (d) => { rewriteDashboardLines(d, (line) => [line[1] === 'LedgerHit' ? [...line.slice(0, 4), 'command', 'register', ...line.slice(4)] : line]) } },
  { check: 'dashboard', stage: 'dev', change: 'the bot\'s metrics charted under another stage\'s service', apply: (d) => { rewriteDashboardLines(d, (line) => [line[2] === 'service' ? [line[0], line[1], 'service', 'telegram-register-bot-prod', ...line.slice(4)] : line]) } },
  { check: 'dashboard', stage: 'prod', change: 'Worker duration charted for the Api function', apply: (d) => { rewriteDashboardLines(d, (line) => [line[1] === 'Duration' ? [line[0], line[1], line[2], lambda(d, 'api')?.state.name, ...line.slice(4)] : line]) } },
  { check: 'dashboard', stage: 'dev', change: 'parked arrivals not charted', apply: (d) => { rewriteDashboardLines(d, (line) => line[1] === 'NumberOfMessagesSent' ? [] : [line]) } },
  { check: 'dashboard', stage: 'dev', change: 'the Worker emitting under another namespace', apply: (d) => { environmentOf(d, 'worker').POWERTOOLS_METRICS_NAMESPACE = 'Other' } },
  { check: 'dashboard', stage: 'prod', change: 'the Worker without POWERTOOLS_SERVICE_NAME', apply: (d) => { delete environmentOf(d, 'worker').POWERTOOLS_SERVICE_NAME } },

  { check: 'outputs', stage: 'dev', change: 'no workerLogGroup output', apply: (d) => { delete d.outputs.workerLogGroup } },
  { check: 'outputs', stage: 'prod', change: 'workerFunctionName names the Api', apply: (d) => { d.outputs.workerFunctionName = lambda(d, 'api')?.state.name } },
  { check: 'outputs', stage: 'dev', change: 'no dashboardUrl output', apply: (d) => { delete d.outputs.dashboardUrl } },
  { check: 'outputs', stage: 'prod', change: 'no ledgerTableName output', apply: (d) => { delete d.outputs.ledgerTableName } },

  // ── Issue 12 (cold start, scale). ──
  { check: 'functions', stage: 'prod', change: 'the Api on nodejs22.x', apply: (d) => { inputsOf(lambda(d, 'api'), 'Api').runtime = 'nodejs22.x' } },
  { check: 'lambdaBuild', stage: 'dev', change: 'the Api keeps names', apply: (d) => { build(d, 'Api').properties.esbuild = { ...build(d, 'Api').properties.esbuild as object, keepNames: true } } },
  { check: 'lambdaBuild', stage: 'prod', change: 'the Worker without the stand-ins plugin', apply: (d) => { delete build(d, 'Worker').properties.plugins } },
  { check: 'queueThroughput', stage: 'dev', change: 'Updates deduplicating per queue', apply: (d) => { updates(d).deduplicationScope = 'queue' } },
  { check: 'queueThroughput', stage: 'prod', change: 'UpdatesDlq limited per queue', apply: (d) => { deadLetters(d).fifoThroughputLimit = 'perQueue' } },
  { check: 'queueThroughput', stage: 'dev', change: 'UpdatesParked left in the default mode', apply: (d) => { const parked = inputsOf(queue(d, 'UpdatesParked'), 'UpdatesParked'); delete parked.deduplicationScope; delete parked.fifoThroughputLimit } },
  // ── Issue 20 (network placement), on a public stage; the VPC stages' mutations are networkMutations below. ──
  { check: 'networkPlacement', stage: 'dev', change: 'the Api placed in a VPC on a public stage', apply: (d) => { inputsOf(lambda(d, 'api'), 'Api').vpcConfig = { subnetIds: ['subnet-0aaa1111bbbb2222c'], securityGroupIds: ['sg-0123456789abcdef0'] } } },
  { check: 'networkPath', stage: 'prod', change: 'a NAT gateway created for a public stage', apply: (d) => { d.resources.push(resource(TYPES.natGateway, 'NetworkNatGateway1', { subnetId: 'subnet-0aaa1111bbbb2222c' })) } }
]

/** A resource as the program would have registered it, for mutations that add one. */
function resource (type: string, name: string, inputs: Record<string, unknown>, state: Record<string, unknown> = {}): RecordedResource {
  return { type, name, custom: true, inputs, state: { id: `${name}-id`, ...state }, retainOnDelete: false, protect: false }
}

const workerGroup = (deployment: MockDeployment) =>
  required(ofType(deployment, TYPES.securityGroup).find((group) => group.state.id === vpcConfigOf(deployment, 'worker')?.securityGroupIds?.[0]), 'the Worker\'s security group')
const addEgress = (deployment: MockDeployment, rule: SecurityGroupRule) => { workerGroup(deployment).inputs.egress = [...rulesOf(workerGroup(deployment), 'egress'), rule] }
const mapEgress = (deployment: MockDeployment, rewrite: (rule: SecurityGroupRule) => SecurityGroupRule) => { workerGroup(deployment).inputs.egress = rulesOf(workerGroup(deployment), 'egress').map(rewrite) }
const placeInVpc = (deployment: MockDeployment, role: FunctionRole) => { inputsOf(lambda(deployment, role), role).vpcConfig = structuredClone(vpcConfigOf(deployment, 'worker')) }
const namedResource = (deployment: MockDeployment, type: string, name: string) => required(named(deployment, type, name), name)

/** The same, for the stages placed in a VPC (VPC_TEST_STAGES). */
export const networkMutations: Array<Omit<Mutation, 'stage'> & { stage: VpcTestStage }> = [
  { check: 'networkPlacement', stage: 'corp', change: 'the Api placed in the VPC', apply: (d) => { placeInVpc(d, 'api') } },
  { check: 'networkPlacement', stage: 'natgw', change: 'the DeadLetter function placed in the VPC', apply: (d) => { placeInVpc(d, 'deadLetter') } },
  { check: 'networkPlacement', stage: 'corp', change: 'the Worker left out of the VPC', apply: (d) => { delete inputsOf(lambda(d, 'worker'), 'Worker').vpcConfig } },
  { check: 'networkPlacement', stage: 'natec2', change: 'the Worker in the public subnets', apply: (d) => { inputsOf(lambda(d, 'worker'), 'Worker').vpcConfig = { ...vpcConfigOf(d, 'worker'), subnetIds: ['NetworkPublicSubnet1-id', 'NetworkPublicSubnet2-id'] } } },
  { check: 'networkPlacement', stage: 'corp', change: 'the Worker in one subnet only', apply: (d) => { inputsOf(lambda(d, 'worker'), 'Worker').vpcConfig = { ...vpcConfigOf(d, 'worker'), subnetIds: ['subnet-0aaa1111bbbb2222c'] } } },
  { check: 'networkPlacement', stage: 'natgw', change: 'the Worker also in the VPC\'s default group', apply: (d) => { inputsOf(lambda(d, 'worker'), 'Worker').vpcConfig = { ...vpcConfigOf(d, 'worker'), securityGroupIds: [...vpcConfigOf(d, 'worker')?.securityGroupIds ?? [], 'NetworkSecurityGroup-id'] } } },
  { check: 'networkPlacement', stage: 'corp', change: 'port 1433 open to the whole internet as well', apply: (d) => { mapEgress(d, (rule) => rule.fromPort === 1433 ? { ...rule, cidrBlocks: ['0.0.0.0/0'] } : rule) } },
  { check: 'networkPlacement', stage: 'shared', change: 'port 1433 open to the whole VPC instead of the database\'s range', apply: (d) => { mapEgress(d, (rule) => rule.fromPort === 1433 ? { ...rule, cidrBlocks: ['10.20.0.0/16'] } : rule) } },
  { check: 'networkPlacement', stage: 'natgw', change: 'port 1433 open to another security group instead', apply: (d) => { mapEgress(d, (rule) => rule.fromPort === 1433 ? { ...rule, cidrBlocks: [], securityGroups: ['sg-0123456789abcdef0'] } : rule) } },
  { check: 'networkPlacement', stage: 'natec2', change: 'all traffic out (SST\'s default egress)', apply: (d) => { addEgress(d, { protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }) } },
  { check: 'networkPlacement', stage: 'corp', change: 'port 80 out as well', apply: (d) => { addEgress(d, { protocol: 'tcp', fromPort: 80, toPort: 80, cidrBlocks: ['0.0.0.0/0'] }) } },
  { check: 'networkPlacement', stage: 'corp', change: 'a port range around 1433', apply: (d) => { mapEgress(d, (rule) => rule.fromPort === 1433 ? { ...rule, toPort: 1434 } : rule) } },
  { check: 'networkPlacement', stage: 'shared', change: 'an inbound rule from the VPC', apply: (d) => { workerGroup(d).inputs.ingress = [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['10.20.0.0/16'] }] } },
  { check: 'networkPlacement', stage: 'corp', change: 'the Worker\'s role without the VPC access policy', apply: (d) => { const role = inputsOf(roleOf(d, 'worker'), 'WorkerRole'); role.managedPolicyArns = (role.managedPolicyArns as string[]).filter((arn) => !arn.endsWith('/AWSLambdaVPCAccessExecutionRole')) } },

  { check: 'networkPath', stage: 'corp', change: 'no DynamoDB endpoint although the stage asks for one', apply: (d) => { d.resources = d.resources.filter((candidate) => candidate.type !== TYPES.vpcEndpoint) } },
  { check: 'networkPath', stage: 'shared', change: 'a DynamoDB endpoint the stage did not ask for', apply: (d) => { d.resources.push(resource(TYPES.vpcEndpoint, 'LedgerEndpoint', { vpcEndpointType: 'Gateway', serviceName: 'com.amazonaws.us-east-1.dynamodb', routeTableIds: ['rtb-0aaa1111bbbb2222c'] })) } },
  { check: 'networkPath', stage: 'corp', change: 'a VPC created instead of looked up', apply: (d) => { d.resources.push(resource(TYPES.vpc, 'NetworkVpc', { cidrBlock: '10.0.0.0/16' })) } },
  { check: 'networkPath', stage: 'natgw', change: 'one NAT gateway for two zones', apply: (d) => { d.resources = d.resources.filter((candidate) => candidate.name !== 'NetworkNatGateway2') } },
  { check: 'networkPath', stage: 'natec2', change: 'a NAT gateway besides the NAT instances', apply: (d) => { d.resources.push(resource(TYPES.natGateway, 'NetworkNatGateway1', { subnetId: 'NetworkPublicSubnet1-id' })) } },
  { check: 'networkPath', stage: 'natgw', change: 'a private route table without its route through NAT', apply: (d) => { namedResource(d, TYPES.routeTable, 'NetworkPrivateRouteTable2').inputs.routes = [] } },
  { check: 'networkPath', stage: 'natec2', change: 'the DynamoDB endpoint on one private route table only', apply: (d) => { inputsOf(ofType(d, TYPES.vpcEndpoint)[0], 'LedgerEndpoint').routeTableIds = ['NetworkPrivateRouteTable1-id'] } },
  { check: 'networkPath', stage: 'natgw', change: 'an interface endpoint instead of the gateway', apply: (d) => { inputsOf(ofType(d, TYPES.vpcEndpoint)[0], 'LedgerEndpoint').vpcEndpointType = 'Interface' } },
  { check: 'networkPath', stage: 'natgw', change: 'no egressAddresses output', apply: (d) => { delete d.outputs.egressAddresses } },
  { check: 'networkPath', stage: 'natec2', change: 'egressAddresses that are not the Elastic IPs', apply: (d) => { d.outputs.egressAddresses = ['192.0.2.99'] } },
  { check: 'networkPath', stage: 'corp', change: 'no workerSecurityGroupId output', apply: (d) => { delete d.outputs.workerSecurityGroupId } },
  { check: 'networkPath', stage: 'natec2', change: 'the NAT instance open to the internet (SST\'s default)', apply: (d) => { namedResource(d, TYPES.securityGroup, 'NetworkNatInstanceSecurityGroup').inputs.ingress = [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }] } },
  { check: 'networkPath', stage: 'natgw', change: 'the default group accepting the VPC (SST\'s default)', apply: (d) => { namedResource(d, TYPES.defaultSecurityGroup, 'NetworkSecurityGroup').inputs.ingress = [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['10.0.0.0/16'] }] } }
]
