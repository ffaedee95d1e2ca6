import { NETWORK, REGION } from './settings'
import { networkOf, StageRefusedError, type DatabaseTarget, type ExistingVpc, type NewVpc } from './stages'

/** Where the functions that open the database run, when the stage places them in a VPC. */
export interface Network {
  /** The `vpc` argument of those functions: the private subnets and the Worker's own security group. */
  functionVpc: { privateSubnets: $util.Output<string[]>, securityGroups: Array<$util.Output<string>> }
  securityGroup: aws.ec2.SecurityGroup
  /** The public addresses the private subnets reach the internet from: what a database firewall allow-lists. */
  egressAddresses: $util.Output<string[]>
}

/** Where the Worker's port-1433 rule points: the database's security group, or its address ranges. */
type DatabaseDestination = { securityGroups: Array<$util.Input<string>> } | { cidrBlocks: string[] }

/**
 * The stage's network placement (infra/stages.ts). `public` creates nothing, so such a stage deploys
 * exactly as before the setting existed. `vpc` gives the Worker (the one function that opens the
 * database) private subnets and a security group of its own; the Api and the DeadLetter function have
 * no database and stay on Lambda's network, which costs nothing and needs no NAT.
 * Called before anything else is declared, so a refused stage deploys nothing.
 */
export function createNetwork (): Network | undefined {
  const placement = networkOf($app.stage)
  if (placement.mode === 'public') return undefined
  const { vpcId, privateSubnets, egressAddresses, toDatabase } = 'id' in placement.vpc ? useExistingVpc(placement.vpc, placement.database) : createVpc(placement.vpc, placement.database)
  const securityGroup = createWorkerSecurityGroup(vpcId, toDatabase)
  return { functionVpc: { privateSubnets, securityGroups: [securityGroup.id] }, securityGroup, egressAddresses }
}

/**
 * A VPC the network team runs: looked up (so a wrong id stops the deploy rather than the first cold
 * start), never created or changed, except for a DynamoDB gateway endpoint when the stage asks for one.
 */
function useExistingVpc (existing: ExistingVpc, database: DatabaseTarget) {
  const vpc = aws.ec2.getVpcOutput({ id: existing.id })
  const privateSubnets = $util.all(existing.privateSubnetIds.map((id) => aws.ec2.getSubnetOutput({ id }))).apply((subnets) => subnets.map((subnet) => {
    if (subnet.vpcId !== existing.id) throw new StageRefusedError(`stage ${$app.stage}: subnet ${subnet.id} (network.vpc.privateSubnetIds) is in ${subnet.vpcId}, not in ${existing.id}`)
    return subnet.id
  }))
  // Looked up within the VPC: the egress rule references the database's group only if it is there.
  const toDatabase: DatabaseDestination = 'securityGroupId' in database
    ? { securityGroups: [aws.ec2.getSecurityGroupOutput({ id: database.securityGroupId, vpcId: vpc.id }).id] }
    : { cidrBlocks: database.cidrBlocks }
  if (existing.dynamoDbEndpointRouteTableIds !== undefined) createLedgerEndpoint(vpc.id, existing.dynamoDbEndpointRouteTableIds)
  // The VPC's NAT gateways, where it has any: where its subnets route through something else (a
  // transit gateway, an on-premises firewall), the network team knows the address instead (docs/deploy.md).
  const natIds = aws.ec2.getNatGatewaysOutput({ vpcId: vpc.id, filters: [{ name: 'state', values: ['available'] }] }).ids
  const egressAddresses = natIds.apply((ids) => $util.all(ids.map((id) => aws.ec2.getNatGatewayOutput({ id }).publicIp)))
  return { vpcId: vpc.id, privateSubnets, egressAddresses, toDatabase }
}

/** A VPC of the stage's own: SST's Vpc (public and private subnets per AZ, NAT per AZ with an Elastic IP). */
function createVpc ({ nat }: NewVpc, database: DatabaseTarget) {
  const vpc = new sst.aws.Vpc('Network', {
    az: NETWORK.availabilityZones,
    nat,
    transform: {
      // The VPC's default group: nothing is placed in it, and SST's default lets it accept anything from inside the VPC.
      securityGroup: (args) => { args.ingress = [] },
      // The NAT instance forwards what the VPC sends it; SST's default also accepts anything from the internet.
      natSecurityGroup: (args) => { args.ingress = [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: [NETWORK.newVpcCidr] }] }
    }
  })
  createLedgerEndpoint(vpc.id, vpc.nodes.privateRouteTables.apply((tables) => tables.map((table) => table.id)))
  const egressAddresses = vpc.nodes.elasticIps.apply((ips) => $util.all(ips.map((ip) => ip.publicIp)))
  // networkOf refuses a security group for a new VPC: the database is an address range here.
  const toDatabase: DatabaseDestination = { cidrBlocks: 'cidrBlocks' in database ? database.cidrBlocks : [] }
  return { vpcId: vpc.id, privateSubnets: $util.output(vpc.privateSubnets), egressAddresses, toDatabase }
}

/** The ledger's way out of the private subnets without NAT: a gateway endpoint is free, NAT is charged per GB. */
function createLedgerEndpoint (vpcId: $util.Input<string>, routeTableIds: $util.Input<Array<$util.Input<string>>>): aws.ec2.VpcEndpoint {
  return new aws.ec2.VpcEndpoint('LedgerEndpoint', {
    vpcId,
    serviceName: `com.amazonaws.${REGION}.dynamodb`,
    vpcEndpointType: 'Gateway',
    routeTableIds
  })
}

/**
 * The Worker's own group: out to the database on its port, out on 443 for the rest (Telegram's Bot
 * API through NAT, DynamoDB through the endpoint), nothing in. DNS to the VPC's resolver is not
 * filtered by security groups.
 */
function createWorkerSecurityGroup (vpcId: $util.Input<string>, toDatabase: DatabaseDestination): aws.ec2.SecurityGroup {
  return new aws.ec2.SecurityGroup('WorkerSecurityGroup', {
    vpcId,
    description: 'Telegram bot Worker: out to SQL Server and HTTPS only, nothing in',
    ingress: [],
    egress: [
      { description: 'SQL Server', protocol: 'tcp', fromPort: NETWORK.databasePort, toPort: NETWORK.databasePort, ...toDatabase },
      { description: 'HTTPS to Telegram and DynamoDB', protocol: 'tcp', fromPort: NETWORK.httpsPort, toPort: NETWORK.httpsPort, cidrBlocks: ['0.0.0.0/0'] }
    ]
  })
}
