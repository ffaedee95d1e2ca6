import { createRequire } from 'node:module'
import type { Server } from 'node:http'
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'

export interface EmbeddedDynamoDb {
  endpoint: string
  /** The update ledger's table, created empty with Powertools' key schema. */
  ledgerTable: string
  /** DynamoDB requests served so far (for the benchmark and the tests that count calls). */
  requests: () => number
  stop: () => Promise<void>
}

type Dynalite = (options: { createTableMs?: number, deleteTableMs?: number, updateTableMs?: number }) => Server

/**
 * dynalite (the DynamoDB protocol over an in-memory LevelDB), in-process on a free loopback port, with
 * the ledger's table as infra/ledger.ts declares it: hash key `id` (string). dynalite has no
 * UpdateTimeToLive, so nothing deletes expired records here; Powertools checks `expiration` itself.
 */
export async function startEmbeddedDynamoDb (options: { region: string, ledgerTable?: string }): Promise<EmbeddedDynamoDb> {
  // CommonJS without type declarations.
  const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite
  // Tables are usable at once instead of after dynalite's simulated 500 ms of CREATING.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { resolve() })
  })
  let requests = 0
  server.on('request', () => { requests++ })
  const { port } = server.address() as { port: number }
  const endpoint = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => { resolve() }))
  }
  const ledgerTable = options.ledgerTable ?? 'update-ledger'
  const client = new DynamoDBClient({ region: options.region, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
  try {
    await client.send(new CreateTableCommand({
      TableName: ledgerTable,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST'
    }))
  } catch (error) {
    await stop()
    throw error
  } finally {
    client.destroy()
  }
  return { endpoint, ledgerTable, requests: () => requests, stop }
}
