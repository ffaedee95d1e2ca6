/**
 * Network placement (issue 20): a public stage, stages in an existing VPC and stages with a new VPC of
 * each NAT kind, deployed under mocks (mock-deploy.ts); which function is where, with which group, the
 * NAT and the DynamoDB endpoint where created, the egress addresses; then each network check against
 * one wrong setting, and the refusals of a `vpc` stage that is missing what it needs.
 */
import t, { type Test } from 'tap'
import { networkOf, StageRefusedError, type StageSettings } from '../../infra/stages.js'
import { checks } from './checks.js'
import { lambda, ofType, rulesOf, TYPES, vpcConfigOf, type FunctionRole } from './deployment.js'
import { deployWithMocks, TEST_STAGES, VPC_TEST_STAGES, type MockDeployment, type VpcTestStage } from './mock-deploy.js'
import { EXISTING_NETWORK, MOCK_ELASTIC_IP_PREFIX } from './mock-program.js'
import { networkMutations } from './mutations.js'

// Seven mocked deployments, each a child process bundling SST's platform: 3½ minutes at a load average
// of 25 on 2 cores (measured here while six others were testing).
t.setTimeout(600_000)

const STAGES: Record<string, StageSettings> = { ...TEST_STAGES, ...VPC_TEST_STAGES }
const deploy = async (stage: string) => await deployWithMocks(stage, { stages: STAGES })
// Two at a time, as sst-config.test.ts does: five at once on 2 cores ran each child past mock-deploy's 90 s limit.
const [dev, corp] = await Promise.all([deploy('dev'), deploy('corp')])
const [shared, natgw] = await Promise.all([deploy('shared'), deploy('natgw')])
const natec2 = await deploy('natec2')
const deployments: Record<VpcTestStage, MockDeployment> = { corp, shared, natgw, natec2 }

const ROLES: FunctionRole[] = ['api', 'worker', 'deadLetter']
const inVpc = (deployment: MockDeployment) => ROLES.filter((role) => vpcConfigOf(deployment, role) !== undefined)
const workerGroup = (deployment: MockDeployment) => ofType(deployment, TYPES.securityGroup).find((group) => group.state.id === vpcConfigOf(deployment, 'worker')?.securityGroupIds?.[0])
const names = (deployment: MockDeployment, type: string) => ofType(deployment, type).map((resource) => resource.name).sort()
const HTTPS_OUT = { description: 'HTTPS to Telegram and DynamoDB', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] }

const passesNetworkChecks = (t: Test, deployment: MockDeployment) => {
  t.same(checks.networkPlacement.run(deployment), [], checks.networkPlacement.title)
  t.same(checks.networkPath.run(deployment), [], checks.networkPath.title)
}

t.test('public (dev, prod, personal stages): no function in a VPC, no network, no egress output', async (t) => {
  t.same(inVpc(dev), [])
  t.same(dev.resources.filter((resource) => resource.type.startsWith('aws:ec2/')), [])
  t.notOk('egressAddresses' in dev.outputs)
  t.same(networkOf('dev'), { mode: 'public' }, 'the checked-in dev stage is public')
  t.same(networkOf('prod'), { mode: 'public' }, 'the checked-in prod stage is public')
  t.same(networkOf('alice', STAGES), { mode: 'public' }, 'a personal stage is public')
  passesNetworkChecks(t, dev)
})

t.test('existing VPC (corp): the Worker alone in the named subnets, with its own group; the endpoint it asked for; nothing else created', async (t) => {
  t.same(inVpc(corp), ['worker'])
  t.same(vpcConfigOf(corp, 'worker')?.subnetIds, EXISTING_NETWORK.privateSubnetIds)
  t.same(vpcConfigOf(corp, 'worker')?.securityGroupIds, ['WorkerSecurityGroup-id'])
  t.same(rulesOf(workerGroup(corp), 'ingress'), [], 'nothing in')
  t.same(rulesOf(workerGroup(corp), 'egress'), [
    { description: 'SQL Server', protocol: 'tcp', fromPort: 1433, toPort: 1433, securityGroups: [EXISTING_NETWORK.databaseSecurityGroupId] },
    HTTPS_OUT
  ], '1433 to the database\'s group, 443 out')
  t.equal(workerGroup(corp)?.inputs.vpcId, EXISTING_NETWORK.vpcId)
  const [endpoint] = ofType(corp, TYPES.vpcEndpoint)
  t.match(endpoint?.inputs, { vpcId: EXISTING_NETWORK.vpcId, vpcEndpointType: 'Gateway', serviceName: 'com.amazonaws.us-east-1.dynamodb', routeTableIds: EXISTING_NETWORK.routeTableIds })
  t.same(corp.resources.filter((resource) => resource.type.startsWith('aws:ec2/')).map((resource) => resource.name).sort(), ['LedgerEndpoint', 'WorkerSecurityGroup'], 'looked up, not created')
  t.same(corp.outputs.egressAddresses, [EXISTING_NETWORK.natGateway.publicIp], 'the VPC\'s NAT gateway address')
  t.equal(corp.outputs.workerSecurityGroupId, 'WorkerSecurityGroup-id', 'for the database group\'s inbound rule')
  passesNetworkChecks(t, corp)
})

t.test('existing VPC (shared): no endpoint unless asked; the database by address range', async (t) => {
  t.same(inVpc(shared), ['worker'])
  t.same(ofType(shared, TYPES.vpcEndpoint), [])
  t.same(rulesOf(workerGroup(shared), 'egress')[0], { description: 'SQL Server', protocol: 'tcp', fromPort: 1433, toPort: 1433, cidrBlocks: ['10.20.8.0/24'] })
  passesNetworkChecks(t, shared)
})

t.test('new VPC with NAT gateways (natgw): one per zone with its Elastic IP; the Worker in the private subnets; the endpoint on their route tables', async (t) => {
  t.same(inVpc(natgw), ['worker'])
  t.same(vpcConfigOf(natgw, 'worker')?.subnetIds, ['NetworkPrivateSubnet1-id', 'NetworkPrivateSubnet2-id'])
  t.same(names(natgw, TYPES.natGateway), ['NetworkNatGateway1', 'NetworkNatGateway2'])
  t.same(names(natgw, TYPES.instance), [])
  t.same(ofType(natgw, TYPES.vpcEndpoint)[0]?.inputs.routeTableIds, ['NetworkPrivateRouteTable1-id', 'NetworkPrivateRouteTable2-id'])
  t.same(natgw.outputs.egressAddresses, [`${MOCK_ELASTIC_IP_PREFIX}1`, `${MOCK_ELASTIC_IP_PREFIX}2`], 'the NAT gateways\' Elastic IPs')
  t.same(rulesOf(workerGroup(natgw), 'egress'), [{ description: 'SQL Server', protocol: 'tcp', fromPort: 1433, toPort: 1433, cidrBlocks: ['192.0.2.10/32'] }, HTTPS_OUT])
  t.same(ofType(natgw, TYPES.defaultSecurityGroup).map((group) => rulesOf(group, 'ingress')), [[]], 'the VPC\'s default group takes nothing in')
  passesNetworkChecks(t, natgw)
})

t.test('new VPC with NAT instances (natec2): one per zone, open to the VPC only', async (t) => {
  t.same(inVpc(natec2), ['worker'])
  t.same(names(natec2, TYPES.natGateway), [])
  t.same(ofType(natec2, TYPES.instance).map((instance) => [instance.name, instance.inputs.instanceType, instance.inputs.sourceDestCheck]), [['NetworkNatInstance1', 't4g.nano', false], ['NetworkNatInstance2', 't4g.nano', false]])
  const natGroup = ofType(natec2, TYPES.securityGroup).find((group) => group.name === 'NetworkNatInstanceSecurityGroup')
  t.same(rulesOf(natGroup, 'ingress'), [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['10.0.0.0/16'] }])
  t.same(natec2.outputs.egressAddresses, [`${MOCK_ELASTIC_IP_PREFIX}1`, `${MOCK_ELASTIC_IP_PREFIX}2`])
  passesNetworkChecks(t, natec2)
})

t.test('every network check reports a placement with one wrong setting', async (t) => {
  for (const mutation of networkMutations) {
    const broken = structuredClone(deployments[mutation.stage])
    mutation.apply(broken)
    t.not(checks[mutation.check].run(broken).length, 0, `${mutation.check} (${mutation.stage}): ${mutation.change}`)
  }
  t.ok(lambda(corp, 'api'), 'the mutations had functions to move')
})

const vpcStage = (network: unknown): Record<string, StageSettings> => ({ corp: { profile: 'telegram-bot-dev', network: network as StageSettings['network'] } })
const existing = { id: EXISTING_NETWORK.vpcId, privateSubnetIds: [...EXISTING_NETWORK.privateSubnetIds] }
const database = { securityGroupId: EXISTING_NETWORK.databaseSecurityGroupId }

t.test('a vpc stage that names no subnets stops the deployment with one line naming the setting', async (t) => {
  const refusal = 'stage corp: STAGES.corp.network.vpc.privateSubnetIds in infra/stages.ts names no private subnets for the Worker: list them (ask the network team)'
  const stages = { ...TEST_STAGES, ...vpcStage({ mode: 'vpc', vpc: { id: EXISTING_NETWORK.vpcId, privateSubnetIds: [] }, database }) }
  t.throws(() => networkOf('corp', stages), new StageRefusedError(refusal))
  t.notOk(refusal.includes('\n'), 'one line')
  const error = await deployWithMocks('corp', { stages }).then(() => undefined, (failure: unknown) => failure as Error)
  t.match(error?.message, refusal, 'the deployment stops with it')
  t.throws(() => networkOf('corp', vpcStage({ mode: 'vpc', vpc: { id: EXISTING_NETWORK.vpcId }, database })), { message: refusal }, 'nor when the list is missing')
})

t.test('the other refusals of a vpc stage, each one line naming its setting', async (t) => {
  const cases: Array<[unknown, string]> = [
    [{ mode: 'vpc', database }, 'STAGES.corp.network.vpc in infra/stages.ts is missing'],
    [{ mode: 'vpc', vpc: { ...existing, id: 'my-vpc' }, database }, 'STAGES.corp.network.vpc.id in infra/stages.ts: "my-vpc" is not a VPC id'],
    [{ mode: 'vpc', vpc: { ...existing, privateSubnetIds: ['subnet-0aaa1111bbbb2222c', 'sg-0db1db2db3db4db5d'] }, database }, 'STAGES.corp.network.vpc.privateSubnetIds in infra/stages.ts: "sg-0db1db2db3db4db5d" is not a subnet id'],
    [{ mode: 'vpc', vpc: { ...existing, dynamoDbEndpointRouteTableIds: ['subnet-0aaa1111bbbb2222c'] }, database }, '"subnet-0aaa1111bbbb2222c" is not a route table id'],
    [{ mode: 'vpc', vpc: { ...existing, dynamoDbEndpointRouteTableIds: [] }, database }, 'STAGES.corp.network.vpc.dynamoDbEndpointRouteTableIds in infra/stages.ts names no route tables'],
    [{ mode: 'vpc', vpc: { nat: 'gateway' }, database: { cidrBlocks: ['192.0.2.10/32'] } }, 'STAGES.corp.network.vpc.nat in infra/stages.ts must be "managed" or "ec2"'],
    [{ mode: 'vpc', vpc: existing }, 'STAGES.corp.network.database in infra/stages.ts names neither securityGroupId nor cidrBlocks'],
    [{ mode: 'vpc', vpc: existing, database: { cidrBlocks: [] } }, 'names neither securityGroupId nor cidrBlocks'],
    [{ mode: 'vpc', vpc: existing, database: { cidrBlocks: ['0.0.0.0/0'] } }, 'STAGES.corp.network.database.cidrBlocks in infra/stages.ts: "0.0.0.0/0" is not the database\'s address range'],
    [{ mode: 'vpc', vpc: existing, database: { cidrBlocks: ['db.example.com'] } }, '"db.example.com" is not the database\'s address range'],
    [{ mode: 'vpc', vpc: existing, database: { securityGroupId: 'sql-server' } }, 'STAGES.corp.network.database.securityGroupId in infra/stages.ts: "sql-server" is not a security group id'],
    [{ mode: 'vpc', vpc: { nat: 'ec2' }, database }, 'STAGES.corp.network.database.securityGroupId in infra/stages.ts: a new VPC cannot reference the database\'s security group']
  ]
  for (const [network, message] of cases) {
    const error = t.throws(() => networkOf('corp', vpcStage(network)), { name: 'StageRefusedError' }) as Error
    t.match(error.message, message)
    t.ok(error.message.startsWith('stage corp: ') && !error.message.includes('\n'), 'one line, naming the stage')
  }
  t.same(networkOf('corp', vpcStage({ mode: 'vpc', vpc: existing, database })), { mode: 'vpc', vpc: existing, database }, 'a complete stage is accepted as it is')
})

t.test('a subnet of another VPC stops the deployment, naming it', async (t) => {
  const other = { ...TEST_STAGES, ...vpcStage({ mode: 'vpc', vpc: { ...existing, privateSubnetIds: [EXISTING_NETWORK.privateSubnetIds[0], EXISTING_NETWORK.otherVpcSubnetId] }, database }) }
  const error = await deployWithMocks('corp', { stages: other }).then(() => undefined, (failure: unknown) => failure as Error)
  t.match(error?.message, `stage corp: subnet ${EXISTING_NETWORK.otherVpcSubnetId} (network.vpc.privateSubnetIds) is in vpc-0ffffffffffffffff, not in ${EXISTING_NETWORK.vpcId}`)
})
