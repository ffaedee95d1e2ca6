import { startServiceProcess } from './service-process.js'

export interface DynamoDbProcess {
  /** LEDGER_TABLE and DYNAMODB_ENDPOINT for an app that uses it. */
  env: { LEDGER_TABLE: string, DYNAMODB_ENDPOINT: string }
  stop: () => Promise<void>
}

// The local runtime's own dynalite set-up (the ledger's table with Powertools' key schema), elsewhere.
const SERVER = `
import { startEmbeddedDynamoDb } from './src/local/embedded-dynamodb.ts'
const dynamo = await startEmbeddedDynamoDb({ region: 'us-east-1' })
console.log(JSON.stringify({ LEDGER_TABLE: dynamo.ledgerTable, DYNAMODB_ENDPOINT: dynamo.endpoint }))
process.on('SIGTERM', () => { dynamo.stop().then(() => process.exit(0)) })
`

/**
 * The update ledger's DynamoDB (dynalite) in a process of its own: on Lambda the ledger's storage work is
 * DynamoDB's, not the Worker's, so the pipeline bench does not run it on the bot's event loop.
 */
export async function startDynamoDbProcess (): Promise<DynamoDbProcess> {
  const { info, stop } = await startServiceProcess<DynamoDbProcess['env']>('the DynamoDB emulator', SERVER)
  return { env: info, stop }
}
