/** Read-only queries over a mocked deployment: find resources and follow the references between them. */
import type { MockDeployment, RecordedResource } from './mock-deploy.js'

export const TYPES = {
  queue: 'aws:sqs/queue:Queue',
  lambda: 'aws:lambda/function:Function',
  eventSourceMapping: 'aws:lambda/eventSourceMapping:EventSourceMapping',
  api: 'aws:apigatewayv2/api:Api',
  route: 'aws:apigatewayv2/route:Route',
  integration: 'aws:apigatewayv2/integration:Integration',
  stage: 'aws:apigatewayv2/stage:Stage',
  role: 'aws:iam/role:Role',
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  alarm: 'aws:cloudwatch/metricAlarm:MetricAlarm',
  dashboard: 'aws:cloudwatch/dashboard:Dashboard',
  topic: 'aws:sns/topic:Topic',
  topicSubscription: 'aws:sns/topicSubscription:TopicSubscription',
  secret: 'sst:sst:Secret',
  table: 'aws:dynamodb/table:Table',
  vpc: 'aws:ec2/vpc:Vpc',
  subnet: 'aws:ec2/subnet:Subnet',
  routeTable: 'aws:ec2/routeTable:RouteTable',
  securityGroup: 'aws:ec2/securityGroup:SecurityGroup',
  defaultSecurityGroup: 'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup',
  natGateway: 'aws:ec2/natGateway:NatGateway',
  instance: 'aws:ec2/instance:Instance',
  elasticIp: 'aws:ec2/eip:Eip',
  vpcEndpoint: 'aws:ec2/vpcEndpoint:VpcEndpoint'
} as const

/** The handlers the design fixes, by function role. */
export const HANDLERS = {
  api: 'src/lambda.handler',
  worker: 'src/worker/lambda.handler',
  deadLetter: 'src/worker/dead-letter-lambda.handler'
} as const

export type FunctionRole = keyof typeof HANDLERS

/** The SST queue components (logical names) the design fixes. */
export const QUEUES = ['Updates', 'UpdatesDlq', 'UpdatesParked'] as const
export type QueueName = typeof QUEUES[number]

export function ofType (deployment: MockDeployment, type: string): RecordedResource[] {
  return deployment.resources.filter((resource) => resource.type === type)
}

export function named (deployment: MockDeployment, type: string, name: string): RecordedResource | undefined {
  return deployment.resources.find((resource) => resource.type === type && resource.name === name)
}

export function queue (deployment: MockDeployment, name: QueueName): RecordedResource | undefined {
  return named(deployment, TYPES.queue, `${name}Queue`)
}

/** The update ledger's table (SST component UpdateLedger). */
export function ledgerTable (deployment: MockDeployment): RecordedResource | undefined {
  return named(deployment, TYPES.table, 'UpdateLedgerTable')
}

export function field<T> (resource: RecordedResource | undefined, name: string): T | undefined {
  return resource?.inputs[name] as T | undefined
}

export function arn (resource: RecordedResource | undefined): string | undefined {
  return resource?.state.arn as string | undefined
}

/** The SST function id (its logical name) whose bundle has this handler. */
export function functionId (deployment: MockDeployment, role: FunctionRole): string | undefined {
  return deployment.builds.find((build) => build.handler === HANDLERS[role])?.functionID
}

export function lambda (deployment: MockDeployment, role: FunctionRole): RecordedResource | undefined {
  const id = functionId(deployment, role)
  return id === undefined ? undefined : named(deployment, TYPES.lambda, `${id}Function`)
}

export function lambdaByArn (deployment: MockDeployment, functionArn: unknown): RecordedResource | undefined {
  return ofType(deployment, TYPES.lambda).find((resource) => arn(resource) === functionArn)
}

export function roleOf (deployment: MockDeployment, role: FunctionRole): RecordedResource | undefined {
  const id = functionId(deployment, role)
  return id === undefined ? undefined : named(deployment, TYPES.role, `${id}Role`)
}

export function subscriptionsOf (deployment: MockDeployment, source: RecordedResource | undefined): RecordedResource[] {
  return ofType(deployment, TYPES.eventSourceMapping).filter((mapping) => source !== undefined && field(mapping, 'eventSourceArn') === arn(source))
}

export interface Statement { Effect: string, Action: string[], Resource: string[] }

/** The statements of a role's inline policies. */
export function statementsOf (role: RecordedResource | undefined): Statement[] {
  const policies = field<Array<{ policy: string }>>(role, 'inlinePolicies') ?? []
  return policies.flatMap((policy) => (JSON.parse(policy.policy) as { Statement: Statement[] }).Statement)
}

export interface RedrivePolicy { deadLetterTargetArn: string, maxReceiveCount: number }

export function redrivePolicy (resource: RecordedResource | undefined): RedrivePolicy | undefined {
  const policy = field<string>(resource, 'redrivePolicy')
  return policy === undefined ? undefined : JSON.parse(policy) as RedrivePolicy
}

/** A function's VPC configuration, as Lambda receives it (absent: Lambda's own network). */
export function vpcConfigOf (deployment: MockDeployment, role: FunctionRole): { subnetIds?: string[], securityGroupIds?: string[] } | undefined {
  return field(lambda(deployment, role), 'vpcConfig')
}

export interface SecurityGroupRule { protocol?: string, fromPort?: number, toPort?: number, cidrBlocks?: string[], ipv6CidrBlocks?: string[], securityGroups?: string[], prefixListIds?: string[] }

export function rulesOf (group: RecordedResource | undefined, direction: 'ingress' | 'egress'): SecurityGroupRule[] {
  return field<SecurityGroupRule[]>(group, direction) ?? []
}
