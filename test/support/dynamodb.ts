import type { Test } from 'tap'
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../src/local/embedded-dynamodb.js'

/**
 * dynalite in-process (the real DynamoDB protocol) with an empty ledger table, stopped when the test
 * ends; `env` points the app's LEDGER_TABLE and DYNAMODB_ENDPOINT at it.
 */
export async function startLedgerDynamoDb (t: Test): Promise<EmbeddedDynamoDb & { env: { LEDGER_TABLE: string, DYNAMODB_ENDPOINT: string } }> {
  const dynamo = await startEmbeddedDynamoDb({ region: 'us-east-1' })
  t.teardown(dynamo.stop)
  return { ...dynamo, env: { LEDGER_TABLE: dynamo.ledgerTable, DYNAMODB_ENDPOINT: dynamo.endpoint } }
}
