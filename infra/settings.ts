/**
 * The numbers the infrastructure is built from, in one place so that the relations between them
 * (visibility timeout ≥ 6 × function timeout, for one) stay visible.
 * Plain values only, no SST globals, so any infra module can import it.
 */

export const REGION = 'us-east-1'

/** The Pulumi AWS provider, pinned so that `sst install` on a clean clone resolves the same code. */
export const AWS_PROVIDER_VERSION = '7.20.0'

/**
 * Lambda runtime and CPU for every function. Node 24 (supported to 2028-04; nodejs22.x ends 2027-04)
 * is also where the bundle tests and the bench run the bundles (scripts/node-install.sh), and its
 * cold starts are the faster ones here (docs/benchmarks.md). Graviton is ~20 % cheaper per
 * GB-second and fast enough here.
 */
export const RUNTIME = 'nodejs24.x'
export const ARCHITECTURE = 'arm64'

/** Receives of an update before it moves to UpdatesDlq. */
export const MAX_RECEIVE_COUNT = 5
/**
 * Receives before UpdatesDlq gives a message to UpdatesParked. A moved message may keep its receive
 * count, so this limit counts the Updates queue's receives too: twice as many leaves the DeadLetter
 * function its own five tries (the SQS emulator used locally behaves this way).
 */
export const DEAD_LETTER_MAX_RECEIVE_COUNT = 2 * MAX_RECEIVE_COUNT

/**
 * AWS recommends a queue visibility timeout of at least six times the consuming function's timeout,
 * so that a batch still being retried by Lambda is never handed to a second invocation.
 */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6

export const API = {
  // Telegram waits on this answer; the handler only validates and calls SendMessage (two attempts of
  // ≤ 1.5 s each), so anything slower than 10 s is broken, not busy.
  timeoutSeconds: 10,
  // Steady state needs < 128 MB, but Lambda CPU scales with memory and a cold start (Fastify, TypeBox,
  // the SQS client) is what Telegram waits for: 512 MB keeps it well under a second at negligible cost.
  memoryMb: 512,
  // Stage-wide throttling: far above Telegram's delivery rate (≤ max_connections parallel requests) and a
  // ceiling on what unauthenticated traffic can cost. Throttled requests get 429 and Telegram retries them.
  throttlingRateLimit: 100,
  throttlingBurstLimit: 200
} as const

export const WORKER = {
  // One batch: up to 10 updates, each a SQL Server round trip plus Telegram replies that may wait out
  // a 429 retry_after. 60 s covers a slow batch; the queue's visibility timeout follows from it.
  timeoutSeconds: 60,
  // TLS handshakes to SQL Server and to Telegram are CPU-bound at cold start; 1024 MB ≈ 0.6 vCPU.
  memoryMb: 1024,
  // FIFO batches are capped at 10 by SQS; a batching window is rejected on FIFO sources.
  batchSize: 10,
  // Protects the database from a backlog burst; FIFO already serialises each sender's updates.
  maxConcurrency: 5
} as const

export const DEAD_LETTER = {
  // Per record: one Telegram apology and one SendMessage to the parked queue.
  timeoutSeconds: 30,
  memoryMb: 256,
  batchSize: 10,
  // The minimum Lambda allows: dead letters are rare and need no parallelism.
  maxConcurrency: 2
} as const

/**
 * FIFO high-throughput mode for Updates, UpdatesDlq and UpdatesParked. A FIFO queue takes about 300
 * calls per second per action without it; with it, up to 70 000 per second per action in us-east-1
 * (docs/capacity.md), spread over message groups. Deduplication then holds within a message group only,
 * which loses nothing here: an update's group id is a function of the update (src/telegram/update.ts),
 * so a repeated send of it lands in the same group with the same id, and the DeadLetter function parks
 * each dead letter under its own group and deduplication ids. A dead-letter wave moves at the rate of
 * the Updates queue, and a redrive (StartMessageMoveTask) back into Updates keeps both ids: the whole
 * chain deduplicates the same way.
 */
export const QUEUE_THROUGHPUT = {
  deduplicationScope: 'messageGroup',
  fifoThroughputLimit: 'perMessageGroupId'
} as const

/** Seconds. SQS keeps at most 14 days. */
export const RETENTION = {
  // Undelivered updates survive a long weekend of worker downtime.
  updates: 4 * 24 * 3600,
  // The most SQS allows: dead letters wait for a person. (A move into a FIFO DLQ, and a redrive, restart
  // the retention clock, so these count from the move, not from the original send.)
  deadLetters: 14 * 24 * 3600,
  parked: 14 * 24 * 3600
} as const

/** The bot's Telegram webhook, as `npm run telegram:setup` sets it. */
export const TELEGRAM_WEBHOOK = {
  // Parallel HTTPS connections Telegram may open to the webhook (1–100; 40 is Telegram's default). Each
  // open connection is one Api invocation running, so this bounds the Api's Lambda concurrency (against
  // the account's 1000 shared by all functions) and keeps it far below API.throttlingBurstLimit, so a
  // backlog Telegram flushes is never throttled. The Api only checks and enqueues (tens of ms), so 40
  // connections carry hundreds of updates per second, more than one bot receives. More would buy no
  // order: Telegram sends each chat's updates in order and the Updates FIFO queue keeps each user's
  // group in order whatever the number of connections, and the Worker's concurrency (WORKER) is what
  // bounds the database, not this.
  maxConnections: 40
} as const

/** Network placement of a `vpc` stage (infra/network.ts, docs/deploy.md). */
export const NETWORK = {
  // A new VPC's zones: Lambda wants subnets in two AZs or more so that one zone's outage does not stop
  // the Worker, and each zone gets its own NAT and Elastic IP (docs/cost.md): two is the least that keeps that.
  availabilityZones: 2,
  // SST's Vpc carves its subnets out of this block and cannot be given another (vpc.ts, createVpc).
  newVpcCidr: '10.0.0.0/16',
  // SQL Server's default TCP port; the connection string's port must be the same.
  databasePort: 1433,
  // Everything else the Worker calls (Telegram's Bot API, DynamoDB) is HTTPS.
  httpsPort: 443
} as const

/** Alarm thresholds. */
export const ALARMS = {
  // "Oldest message older than 5 minutes": the worker is down, throttled or stuck behind a failing group.
  oldestUpdateAgeSeconds: 5 * 60,
  // SQS's finest period: each minute with a newly parked update is one notification (ALARM, then OK).
  parkedArrivalPeriodSeconds: 60,
  // Each side effect the ledger could not record may be repeated: every one is worth a look, and a
  // minute per notification (the finest period for the bot's EMF metrics) shows when the ledger faltered.
  ledgerCompletionUnsavedPeriodSeconds: 60
} as const

/** Custom metrics: the namespace the worker's Powertools Metrics write to (the code has the same default). */
export const METRICS_NAMESPACE = 'TelegramRegisterBot'

/** The stage dashboard. */
export const DASHBOARD = {
  // Five-minute points are what an on-call glance needs; finer ones are a zoom away.
  periodSeconds: 300,
  // Three hours: long enough to see a backlog build up, short enough to see the last five minutes.
  defaultRange: '-PT3H'
} as const

/** The SST CLI this config is written for; the CLI refuses to run any other version. */
export const SST_VERSION = '4.17.1'

/**
 * The update ledger (docs/design.md): one DynamoDB record per side-effect step of a command update.
 * The src code reads this section too, so the expiry and the budgets have one source.
 */
export const LEDGER = {
  // A record must outlive every way an update can come back: Telegram retries a webhook for 24 h, the
  // Updates queue keeps it 4 days, and each move (to UpdatesDlq, then to UpdatesParked) restarts
  // SQS's retention clock, so a parked update can be redriven up to 1 + 4 + 14 + 14 = 33 days after
  // Telegram first sent it. Two days of margin cover an operator's redrive on the last day.
  expirySeconds: 24 * 3600 + RETENTION.updates + RETENTION.deadLetters + RETENTION.parked + 2 * 24 * 3600,
  // Each DynamoDB attempt: a same-region round trip takes single-digit milliseconds; 1 s means the
  // service is in trouble. The SDK's standard retry tries three times (inside the record's deadline).
  dynamoRequestTimeoutMs: 1000,
  dynamoConnectTimeoutMs: 1000,
  dynamoMaxAttempts: 3,
  // Saving a step's COMPLETED record once its work has returned (docs/design.md, "what still happens
  // twice"). The three attempts above are over in well under a second against a refused connection, so
  // a blip of the ledger right after a side effect would lose the record and a redelivery would repeat
  // the side effect. Every failed save is tried again after a wait that doubles from 200 ms (a blip is
  // often over by then) up to 2 s (a few tries a second would only add load to a service in trouble),
  // for as long as the step's in-progress record holds (the update's deadline) minus one save's bound
  // and RECORD_BUDGET.replyReserveMs for the rest of the update.
  completionRetryFirstDelayMs: 200,
  completionRetryMaxDelayMs: 2000
} as const

/** How one record's time is spent (src/worker/records.ts, src/telegram/retry.ts). */
export const RECORD_BUDGET = {
  // Kept back at the end of an invocation so the batch result is reported before Lambda's timeout.
  reportingMarginMs: 2000,
  // One Bot API call: Telegram answers in well under a second; a call still open after 10 s is aborted
  // (its outcome is unknown, so the record fails and the ledger decides what a redelivery repeats).
  botApiCallTimeoutMs: 10_000,
  // The procedure is only started when, after its own bound, this much is left for the reply.
  replyReserveMs: 5000,
  // A 429 wait is only started when this much is left after it for the call and the rest of the update.
  timeReservedAfterWaitMs: 5000
} as const
