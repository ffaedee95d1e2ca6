/**
 * The deployment program under Pulumi mocks. It is not run by tap directly: mock-deploy.ts bundles it
 * together with sst.config.ts and SST's own run() (the way the SST CLI bundles its eval program) and
 * runs that bundle in a child process per stage, because Pulumi's runtime state is process-global.
 *
 * The SST CLI normally answers two RPCs for the program: the bootstrap bucket of the region and the
 * esbuild step of each function ("Runtime.Build"). A local fake answers both: the build is recorded
 * (handler, links, bundling options) and a placeholder bundle is returned instead, since bundling the
 * handlers is the CLI's job at deploy time, not the config's. Everything else is the real SST code.
 */
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A resource as the program registered it, after every SST transformation. */
export interface RecordedResource {
  type: string
  name: string
  custom: boolean
  inputs: Record<string, unknown>
  /** What the mocks answered as the resource's outputs (arn, url, name…). */
  state: Record<string, unknown>
  retainOnDelete: boolean
  protect: boolean
}

/** One function bundle SST asked the CLI for. */
export interface RecordedBuild {
  functionID: string
  handler: string
  runtime: string
  /** Linked resource name → link type, e.g. TELEGRAM_BOT_TOKEN → sst.sst.Secret. */
  links: Record<string, string>
  /** What the function reads through `Resource` at run time (mock values), as SST encrypts it into the bundle. */
  resources: Record<string, Record<string, unknown>>
  /** The `nodejs` options plus the architecture, exactly as the CLI would receive them. */
  properties: Record<string, unknown>
}

export interface MockDeploymentResult {
  resources: RecordedResource[]
  builds: RecordedBuild[]
  outputs: Record<string, unknown>
  unknownRpcMethods: string[]
}

// Just what the program uses of @pulumi/pulumi; its types live in .sst/platform, outside this project.
interface TransformArgs { type: string, name: string, opts: { retainOnDelete?: boolean, protect?: boolean } }
interface MockResourceArgs { type: string, name: string, inputs: Record<string, unknown>, custom?: boolean }
interface MockCallArgs { token: string, inputs: Record<string, unknown> }
export interface PulumiRuntime {
  setMocks: (mocks: {
    newResource: (args: MockResourceArgs) => { id: string, state: Record<string, unknown> }
    call: (args: MockCallArgs) => Record<string, unknown>
  }, project: string, stack: string, preview: boolean) => Promise<void>
  runInPulumiStack: (init: () => Promise<Record<string, unknown> | undefined>) => Promise<Record<string, unknown> | undefined>
  registerStackTransformation: (transformation: (args: TransformArgs) => undefined) => void
}

export interface MockProgram {
  runtime: PulumiRuntime
  /** SST's run() from .sst/platform/src/auto/run.ts. */
  run: (program: () => Promise<Record<string, unknown> | void>) => Promise<Record<string, unknown>>
  /** The config's run(). */
  program: () => Promise<Record<string, unknown> | void>
  project: string
  stage: string
  resultFile: string
}

const ACCOUNT = '123456789012'
const REGION = 'us-east-1'

/**
 * The network an `existing` VPC stage names, as the EC2 lookups answer it: two private subnets of the
 * VPC, one subnet of another VPC, the database's security group and one NAT gateway. Ids of anything
 * else are not found, as AWS would answer.
 */
export const EXISTING_NETWORK = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  cidrBlock: '10.20.0.0/16',
  privateSubnetIds: ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f'],
  otherVpcSubnetId: 'subnet-0999888877776666a',
  routeTableIds: ['rtb-0aaa1111bbbb2222c', 'rtb-0ddd3333eeee4444f'],
  databaseSecurityGroupId: 'sg-0db1db2db3db4db5d',
  natGateway: { id: 'nat-0fedcba987654321f', publicIp: '198.51.100.7' }
} as const
/** What the mocks give each Elastic IP a new VPC allocates (documentation addresses, RFC 5737). */
export const MOCK_ELASTIC_IP_PREFIX = '203.0.113.'

export async function deployUnderMocks ({ runtime, run, program, project, stage, resultFile }: MockProgram): Promise<void> {
  const resources: RecordedResource[] = []
  const builds: RecordedBuild[] = []
  const unknownRpcMethods: string[] = []
  // Options are only visible to stack transformations, which run just before the mocks see the resource.
  const optionsByResource = new Map<string, Pick<RecordedResource, 'retainOnDelete' | 'protect'>>()
  const rpc = await startFakeCli(builds, unknownRpcMethods)
  process.env.SST_SERVER = rpc.url

  await runtime.setMocks({
    newResource ({ type, name, inputs, custom }) {
      const options = optionsByResource.get(`${type}::${name}`) ?? { retainOnDelete: false, protect: false }
      const plainInputs = reveal(inputs) as Record<string, unknown>
      const state = { id: `${name}-id`, ...mockState(type, name, plainInputs) }
      resources.push({ type, name, custom: custom === true, inputs: plainInputs, state, ...options })
      return { id: state.id, state: { ...inputs, ...state } }
    },
    call: ({ token, inputs }) => invoke(token, inputs)
  }, project, stage, false)

  const outputs = await runtime.runInPulumiStack(() => run(async () => {
    // Registered after SST's own stack transformations, so it sees the options they leave behind.
    runtime.registerStackTransformation(({ type, name, opts }) => {
      optionsByResource.set(`${type}::${name}`, { retainOnDelete: opts.retainOnDelete === true, protect: opts.protect === true })
      return undefined
    })
    return await program()
  }))
  await rpc.idle()
  rpc.close()

  const result: MockDeploymentResult = { resources, builds, outputs: outputs ?? {}, unknownRpcMethods }
  writeFileSync(resultFile, JSON.stringify(result))
}

// How Pulumi marks a secret value when it serialises inputs.
const SECRET_SIGNATURE = '4dabf18193072939515e22adb298388d'

/** Inputs with Pulumi's secret wrappers removed, so the checks read plain values. */
function reveal (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reveal)
  if (value === null || typeof value !== 'object') return value
  const record = value as Record<string, unknown>
  if (SECRET_SIGNATURE in record) return reveal(record.value)
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, reveal(item)]))
}

/** The outputs AWS would add to a resource's inputs, where SST reads them. */
function mockState (type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const physical = typeof inputs.name === 'string' ? inputs.name : name
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`
  switch (type) {
    case 'aws:sqs/queue:Queue':
      return { name: physical, arn: arn('sqs', physical), url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physical}` }
    case 'aws:lambda/function:Function':
      return { name: physical, arn: arn('lambda', `function:${physical}`), invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arn('lambda', `function:${physical}`)}/invocations` }
    case 'aws:apigatewayv2/api:Api':
      return { apiEndpoint: `https://${name.toLowerCase()}.execute-api.${REGION}.amazonaws.com`, executionArn: arn('execute-api', `${name}-id`) }
    case 'aws:ec2/eip:Eip':
      return { publicIp: `${MOCK_ELASTIC_IP_PREFIX}${name.replace(/\D/g, '') || '1'}`, allocationId: `eipalloc-${name}` }
    case 'aws:ec2/instance:Instance':
      return { primaryNetworkInterfaceId: `eni-${name}` }
    case 'random:index/randomBytes:RandomBytes':
      return { base64: Buffer.alloc(32).toString('base64'), hex: Buffer.alloc(32).toString('hex') }
    default:
      return { name: physical, arn: arn(type.split(':')[1]?.split('/')[0] ?? 'mock', physical) }
  }
}

/** Provider functions (data sources) the components call. Unknown ones fail, so nothing passes by accident. */
function invoke (token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case 'aws:index/getRegion:getRegion':
      return { id: REGION, name: REGION, region: REGION }
    case 'aws:index/getPartition:getPartition':
      return { id: 'aws', partition: 'aws', dnsSuffix: 'amazonaws.com' }
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { id: ACCOUNT, accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/mock`, userId: 'mock' }
    case 'aws:iam/getPolicyDocument:getPolicyDocument':
      return { ...inputs, json: policyJson(inputs.statements) }
    case 'aws:index/getAvailabilityZones:getAvailabilityZones':
      return { id: REGION, names: ['us-east-1a', 'us-east-1b', 'us-east-1c'], zoneIds: ['use1-az1', 'use1-az2', 'use1-az4'] }
    case 'aws:ec2/getAmi:getAmi':
      return { id: 'ami-0123456789abcdef0', architecture: 'arm64', name: 'fck-nat-al2023-mock' }
    default:
      return lookUpExistingNetwork(token, inputs)
  }
}

/** The EC2 lookups of an existing VPC, against EXISTING_NETWORK. */
function lookUpExistingNetwork (token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const network = EXISTING_NETWORK
  const notFound = (what: string): never => { throw new Error(`${what} ${String(inputs.id)} not found`) }
  switch (token) {
    case 'aws:ec2/getVpc:getVpc':
      return inputs.id === network.vpcId ? { id: network.vpcId, cidrBlock: network.cidrBlock, state: 'available' } : notFound('InvalidVpcID.NotFound: vpc')
    case 'aws:ec2/getSubnet:getSubnet':
      if ((network.privateSubnetIds as readonly unknown[]).includes(inputs.id)) return { id: inputs.id, vpcId: network.vpcId, availabilityZone: 'us-east-1a' }
      return inputs.id === network.otherVpcSubnetId ? { id: inputs.id, vpcId: 'vpc-0ffffffffffffffff' } : notFound('InvalidSubnetID.NotFound: subnet')
    case 'aws:ec2/getSecurityGroup:getSecurityGroup':
      return inputs.id === network.databaseSecurityGroupId && inputs.vpcId === network.vpcId ? { id: inputs.id, vpcId: network.vpcId, name: 'sql-server' } : notFound('InvalidGroup.NotFound: security group')
    case 'aws:ec2/getNatGateways:getNatGateways':
      return { id: REGION, ids: inputs.vpcId === network.vpcId ? [network.natGateway.id] : [] }
    case 'aws:ec2/getNatGateway:getNatGateway':
      return inputs.id === network.natGateway.id ? { ...network.natGateway, vpcId: network.vpcId } : notFound('NatGatewayNotFound: NAT gateway')
    default:
      throw new Error(`the mocks do not answer the provider function ${token}`)
  }
}

interface StatementInput { effect?: string, actions?: string[], resources?: string[], principals?: Array<{ type: string, identifiers: string[] }> }
function policyJson (statements: unknown): string {
  const list = Array.isArray(statements) ? statements as StatementInput[] : []
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: list.map((statement) => ({
      Effect: statement.effect ?? 'Allow',
      Action: statement.actions,
      Resource: statement.resources,
      Principal: statement.principals && Object.fromEntries(statement.principals.map((principal) => [principal.type, principal.identifiers]))
    }))
  })
}

/** The SST CLI RPCs a deployment needs (the third only under `sst dev`), answered locally. */
async function startFakeCli (builds: RecordedBuild[], unknownRpcMethods: string[]): Promise<{ url: string, idle: () => Promise<void>, close: () => void }> {
  const workDir = mkdtempSync(join(tmpdir(), 'sst-mock-build-'))
  const answer = (method: string, args: Record<string, unknown>): unknown => {
    if (method === 'Provider.Aws.Bootstrap') {
      return { asset: 'mock-bootstrap-assets', assetEcrRegistryId: ACCOUNT, assetEcrUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/mock`, state: 'mock-bootstrap-state', appsyncHttp: '', appsyncRealtime: '' }
    }
    if (method === 'Provider.Aws.Appsync') {
      // `sst dev`: the AppSync event API that bridges Lambda invocations to the developer's machine.
      return { http: `mock.appsync-api.${REGION}.amazonaws.com`, realtime: `mock.appsync-realtime-api.${REGION}.amazonaws.com` }
    }
    if (method === 'Runtime.Build' || method === 'Runtime.AddTarget') {
      const functionID = String(args.functionID)
      builds.push({
        functionID,
        handler: String(args.handler),
        runtime: String(args.runtime),
        // The mock monitor's URNs keep the root stack in the type chain; a real deployment's do not.
        links: Object.fromEntries(Object.entries(args.links as Record<string, { type: string }>).map(([name, link]) => [name, link.type.split('$').at(-1) ?? link.type])),
        resources: args.links as Record<string, Record<string, unknown>>,
        properties: args.properties as Record<string, unknown>
      })
      // `sst dev` registers the function to run on the developer's machine instead of building it.
      if (method === 'Runtime.AddTarget') return {}
      // SST zips this directory into the function's code object: a placeholder stands in for the bundle.
      const out = join(workDir, functionID)
      mkdirSync(out, { recursive: true })
      writeFileSync(join(out, 'placeholder.mjs'), '// stands in for the esbuild bundle\n')
      return { handler: args.handler, out, errors: [], sourcemaps: [] }
    }
    unknownRpcMethods.push(method)
    return undefined
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = ''
    request.on('data', (chunk: Buffer) => { body += chunk.toString() })
    request.on('end', () => {
      const { method, params } = JSON.parse(body) as { method: string, params: Array<Record<string, unknown>> }
      const result = answer(method, params[0] ?? {})
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify(result === undefined ? { error: `rpc: can't find method ${method}` } : { result }))
    })
  })
  // Neither the server nor its connections keep the process alive; a request in flight does (the
  // program's side of it), and so does everything else the program still has to do.
  server.on('connection', (socket) => socket.unref())
  server.listen(0, '127.0.0.1')
  server.unref()
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    // SST creates most resources inside apply() callbacks, some after a build answered: the program is
    // done when Node has nothing left to run (its event loop is empty), not after some quiet time.
    idle: async () => { await new Promise((resolve) => process.once('beforeExit', resolve)) },
    close: () => {
      server.close()
      rmSync(workDir, { recursive: true, force: true })
    }
  }
}
