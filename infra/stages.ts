/**
 * Per-stage settings, checked in and not secret: which AWS account a stage may deploy to, the AWS
 * CLI profile it deploys with, and who receives its alarms. Reading them from here rather than from
 * the deploying shell means a deploy cannot land in whichever account `AWS_PROFILE` happens to name,
 * and a shell without ALARM_EMAIL cannot silently drop the alarm subscription.
 *
 * Plain values only, no SST globals: `app()` reads this before SST has set any up.
 * Set-up for two accounts: docs/deploy.md, section 1.
 */

export interface StageSettings {
  /** The 12-digit AWS account id this stage may deploy to: the AWS provider refuses any other. */
  accountId?: string
  /** The profile in ~/.aws/config that deploys this stage (e.g. an SSO profile). */
  profile: string
  /** Subscribed to the stage's alarm topic (AWS mails a confirmation link once). */
  alarmEmail?: string
  /**
   * Where the functions that open the database run (docs/deploy.md, "Reaching the database").
   * Absent means `public`, as every stage deployed before this setting existed.
   */
  network?: NetworkPlacement
}

/**
 * `public`: every function on Lambda's own network, no VPC, no fixed egress address (the database must
 * accept logins from AWS's public address space). `vpc`: the Worker in private subnets, either of a
 * VPC the network team already runs (`vpc: { id, privateSubnetIds }`) or of one this stage creates
 * with NAT (`vpc: { nat }`).
 */
export type NetworkPlacement = { mode: 'public' } | VpcPlacement

export interface VpcPlacement {
  mode: 'vpc'
  /** A VPC that exists already (looked up, never created or changed), or a new one with NAT of the given kind. */
  vpc: ExistingVpc | NewVpc
  /** The only place the Worker may open port 1433 to. */
  database: DatabaseTarget
}

export interface ExistingVpc {
  /** e.g. vpc-0123456789abcdef0 */
  id: string
  /** Private subnets with a route to the internet (NAT, or a firewall that lets 443 out); two AZs or more. */
  privateSubnetIds: string[]
  /**
   * Create a DynamoDB gateway endpoint on these route tables (the private subnets' ones). Leave it out
   * when those route tables already have one: one is all they need (docs/deploy.md).
   */
  dynamoDbEndpointRouteTableIds?: string[]
}

export interface NewVpc {
  /** `managed`: a NAT gateway per AZ; `ec2`: a t4g.nano NAT instance per AZ (docs/cost.md compares them). */
  nat: 'managed' | 'ec2'
}

/** The database's security group (same VPC), or its address ranges (peered network, VPN, or a public address). */
export type DatabaseTarget = { securityGroupId: string } | { cidrBlocks: string[] }

/** The shared stages. Fill in `accountId` (and `alarmEmail`) for your accounts: see docs/deploy.md. */
export const STAGES: Record<'dev' | 'prod', StageSettings> = {
  dev: { accountId: undefined, profile: 'telegram-bot-dev', alarmEmail: undefined, network: { mode: 'public' } },
  prod: { accountId: undefined, profile: 'telegram-bot-prod', alarmEmail: undefined, network: { mode: 'public' } }
}

/** Stages that only a person's own machine deploys (`sst dev`) must never be this one. */
export const PROD_STAGE = 'prod'

/** What a stage can be refused for: one line, naming the setting to change. */
export class StageRefusedError extends Error {
  override name = 'StageRefusedError'
}

/**
 * The settings of one stage. Any stage not listed (a personal stage such as `alice`, for `sst dev`)
 * deploys to the dev account with the dev profile, and mails no one: its alarms are its owner's.
 * It is `public`: under `sst dev` the Worker runs on its owner's machine, whose own network reaches
 * the database, and a deployed personal stage should not pay for a NAT of its own.
 */
export function stageSettings (stage: string, stages: Record<string, StageSettings | undefined> = STAGES): StageSettings {
  const listed = stages[stage]
  if (listed !== undefined) return listed
  const dev = stages.dev ?? STAGES.dev
  return { accountId: dev.accountId, profile: dev.profile }
}

/**
 * The AWS provider arguments of a stage: its profile and, when its account is known, that account as
 * the only one allowed. `prod` without an account is refused outright.
 */
export function awsProviderOf (stage: string, stages?: Record<string, StageSettings | undefined>): { profile: string, allowedAccountIds?: string[] } {
  const settings = stageSettings(stage, stages)
  if (settings.accountId !== undefined && !/^[0-9]{12}$/.test(settings.accountId)) {
    throw new StageRefusedError(`stage ${stage}: accountId in infra/stages.ts must be a 12-digit AWS account id`)
  }
  if (settings.accountId === undefined && stage === PROD_STAGE) {
    throw new StageRefusedError(`stage ${stage} has no AWS account configured: set STAGES.${stage}.accountId in infra/stages.ts before deploying it`)
  }
  return { profile: settings.profile, ...(settings.accountId === undefined ? {} : { allowedAccountIds: [settings.accountId] }) }
}

/** `sst dev` runs the functions on a person's machine: never against prod's queues, secrets and users. */
export function refuseDevMode (stage: string, dev: boolean): void {
  if (dev && stage === PROD_STAGE) {
    throw new StageRefusedError(`sst dev is refused for stage ${stage}: use a personal stage, e.g. npx sst dev --stage $USER`)
  }
}

/** What each kind of EC2 id looks like, and what it is called in a refusal. */
const EC2_IDS = {
  vpc: { pattern: /^vpc-[0-9a-f]{8,17}$/, label: 'VPC' },
  subnet: { pattern: /^subnet-[0-9a-f]{8,17}$/, label: 'subnet' },
  securityGroup: { pattern: /^sg-[0-9a-f]{8,17}$/, label: 'security group' },
  routeTable: { pattern: /^rtb-[0-9a-f]{8,17}$/, label: 'route table' }
}
const CIDR = /^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}\/([0-9]|[12][0-9]|3[0-2])$/

/**
 * A stage's network placement, checked: a `vpc` stage that names no subnets, no database, or an id of
 * the wrong kind is refused with one line naming the setting, before anything is deployed.
 */
export function networkOf (stage: string, stages?: Record<string, StageSettings | undefined>): NetworkPlacement {
  const network = stageSettings(stage, stages).network ?? { mode: 'public' }
  if (network.mode === 'public') return network
  const setting = (path: string) => `STAGES.${stage}.network.${path} in infra/stages.ts`
  const refuse = (message: string): never => { throw new StageRefusedError(`stage ${stage}: ${message}`) }
  if (network.vpc === undefined) refuse(`${setting('vpc')} is missing: name an existing VPC ({ id, privateSubnetIds }) or ask for a new one ({ nat })`)
  const checkIds = (ids: string[] | undefined, kind: keyof typeof EC2_IDS, path: string, what: string): void => {
    if (ids === undefined || ids.length === 0) refuse(`${setting(path)} names no ${what}: list them (ask the network team)`)
    const wrong = ids?.find((id) => !EC2_IDS[kind].pattern.test(id))
    if (wrong !== undefined) refuse(`${setting(path)}: "${wrong}" is not a ${EC2_IDS[kind].label} id`)
  }
  if ('id' in network.vpc) {
    checkIds([network.vpc.id], 'vpc', 'vpc.id', 'VPC')
    checkIds(network.vpc.privateSubnetIds, 'subnet', 'vpc.privateSubnetIds', 'private subnets for the Worker')
    if (network.vpc.dynamoDbEndpointRouteTableIds !== undefined) checkIds(network.vpc.dynamoDbEndpointRouteTableIds, 'routeTable', 'vpc.dynamoDbEndpointRouteTableIds', 'route tables')
  } else if (network.vpc.nat !== 'managed' && network.vpc.nat !== 'ec2') {
    refuse(`${setting('vpc.nat')} must be "managed" or "ec2"`)
  }
  const database = network.database as Partial<{ securityGroupId: string, cidrBlocks: string[] }> | undefined
  if (database?.securityGroupId !== undefined) {
    if (!('id' in network.vpc)) refuse(`${setting('database.securityGroupId')}: a new VPC cannot reference the database's security group; give database.cidrBlocks`)
    checkIds([database.securityGroupId], 'securityGroup', 'database.securityGroupId', 'security group')
  } else if (database?.cidrBlocks === undefined || database.cidrBlocks.length === 0) {
    refuse(`${setting('database')} names neither securityGroupId nor cidrBlocks: the Worker may open port 1433 to nothing else`)
  } else {
    const wrong = database.cidrBlocks.find((block) => !CIDR.test(block) || block.endsWith('/0'))
    if (wrong !== undefined) refuse(`${setting('database.cidrBlocks')}: "${wrong}" is not the database's address range (a.b.c.d/n, not /0)`)
  }
  return network
}
