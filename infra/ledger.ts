/**
 * The update ledger (docs/design.md): Powertools idempotency records, one per side-effect step of a
 * command update, keyed `id` with the expiry epoch in `expiration` (Powertools' default attribute
 * names). DynamoDB's TTL deletes expired records; the code never trusts a record past its expiry
 * anyway (LEDGER.expirySeconds in settings.ts says how long that is and why).
 */
export function createLedger () {
  limitLedgerLinksToItems()
  // Like the prod queues: records of updates that may still come back outlive the stack.
  const keepOnDelete = $app.stage === 'prod'
  return new sst.aws.Dynamo('UpdateLedger', {
    fields: { id: 'string' },
    primaryIndex: { hashKey: 'id' },
    ttl: 'expiration',
    transform: {
      table: (args, opts) => {
        // On demand: a few requests per command update, bursty, idle most of the time. (SST's default, stated.)
        args.billingMode = 'PAY_PER_REQUEST'
        if (keepOnDelete) opts.retainOnDelete = true
      }
    }
  })
}

/**
 * SST's default Dynamo link grants `dynamodb:*`. Powertools' persistence layer needs these four item
 * calls and nothing else (no scans, no table changes).
 */
function limitLedgerLinksToItems (): void {
  sst.Linkable.wrap(sst.aws.Dynamo, (table) => ({
    properties: { name: table.name },
    include: [sst.aws.permission({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], resources: [table.arn] })]
  }))
}
