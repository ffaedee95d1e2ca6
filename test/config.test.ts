import t from 'tap'
import { ConfigError, deriveWebhookSecret, loadConfig, readSstLinks, requireSetting } from '../src/config.js'

const TOKEN = '123456789:CONFIG-test_token_0123456789abcdefgh'
const FIFO_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/updates.fifo'

/** The error `run` throws; fails the test when it throws nothing. */
function thrown (run: () => unknown): Error {
  try {
    run()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error')
}

t.test('defaults: nothing set gives the local runtime', async (t) => {
  t.same(loadConfig({}, {}), {
    telegram: { botToken: undefined, apiRoot: 'https://api.telegram.org', botUsername: undefined, webhookSecret: undefined, poll: undefined, emulatedPrivacyMode: false },
    database: { connectionString: 'sqlite:.data/local.sqlite', devAccounts: [{ username: 'demo', token: 'demo-token' }] },
    queue: { url: undefined, parkedUrl: undefined, endpoint: undefined, region: 'us-east-1' },
    ledger: { table: undefined, endpoint: undefined, region: 'us-east-1' },
    server: { host: '127.0.0.1', port: 3000 },
    logLevel: 'info'
  })
})

t.test('every variable, well formed', async (t) => {
  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/custom/',
    TELEGRAM_BOT_USERNAME: '@register_test_bot',
    TELEGRAM_WEBHOOK_SECRET: 'explicit_Secret-1',
    TELEGRAM_POLL: '0',
    TELEGRAM_PRIVACY_MODE: '1',
    DATABASE_CONNECTION_STRING: 'mssql://bot:pw@db.example.com:1433/bot',
    DEV_ACCOUNTS: 'alice:a-token,bob:b:token:with:colons',
    QUEUE_URL: FIFO_URL,
    PARKED_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/parked.fifo',
    SQS_ENDPOINT: 'http://localhost:4566',
    LEDGER_TABLE: 'telegram-register-bot-dev-UpdateLedgerTable-abc123',
    DYNAMODB_ENDPOINT: 'http://localhost:4567',
    AWS_REGION: 'eu-central-1',
    HOST: '0.0.0.0',
    PORT: '0',
    LOG_LEVEL: 'silent',
    UNRELATED: 'ignored'
  }, {})
  t.same(config, {
    telegram: { botToken: TOKEN, apiRoot: 'http://127.0.0.1:8081/custom', botUsername: 'register_test_bot', webhookSecret: 'explicit_Secret-1', poll: false, emulatedPrivacyMode: true },
    database: { connectionString: 'mssql://bot:pw@db.example.com:1433/bot', devAccounts: [{ username: 'alice', token: 'a-token' }, { username: 'bob', token: 'b:token:with:colons' }] },
    queue: { url: FIFO_URL, parkedUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/parked.fifo', endpoint: 'http://localhost:4566', region: 'eu-central-1' },
    ledger: { table: 'telegram-register-bot-dev-UpdateLedgerTable-abc123', endpoint: 'http://localhost:4567', region: 'eu-central-1' },
    server: { host: '0.0.0.0', port: 0 },
    logLevel: 'silent'
  })
  t.equal(loadConfig({ TELEGRAM_POLL: '1' }, {}).telegram.poll, true)
  t.equal(loadConfig({ PORT: '65535' }, {}).server.port, 65535)
  t.equal(loadConfig({ TELEGRAM_API_ROOT: 'https://api.telegram.org' }, {}).telegram.apiRoot, 'https://api.telegram.org')
})

t.test('database connection strings in every documented form', async (t) => {
  const accepted = [
    'sqlite:.data/local.sqlite',
    'sqlite::memory:',
    'mssql://bot:pw@db.example.com/bot',
    // The design's own example spells the keyword `Server=`; SQL Server keywords are case-insensitive.
    'Server=tcp:db.example.com,1433;Database=bot;User Id=bot;Password=pw;Encrypt=true',
    'server=localhost;database=bot;user id=sa;password=pw',
    'SERVER=localhost;DATABASE=bot',
    'Data Source=db.example.com;Initial Catalog=bot;User ID=bot;Password=pw',
    'Database=bot; Server = localhost',
    'Address=10.0.0.5;Database=bot',
    'Network Address=10.0.0.5;Database=bot'
  ]
  for (const value of accepted) {
    t.equal(loadConfig({ DATABASE_CONNECTION_STRING: value }, {}).database.connectionString, value, value)
  }
  for (const value of ['postgres://bot@db/bot', 'Database=bot;User Id=bot', 'sqlite:', 'mssql://', 'Server=']) {
    t.throws(() => loadConfig({ DATABASE_CONNECTION_STRING: value }, {}), { name: 'ConfigError', message: /^DATABASE_CONNECTION_STRING is malformed \(value hidden\)/ }, `${value} is rejected`)
  }
})

t.test('a malformed variable: one line naming it, never its value', async (t) => {
  // Each value carries "zq9" so that any echo of it shows.
  const cases: Array<[string, string, boolean]> = [
    ['TELEGRAM_BOT_TOKEN', '123:zq9-too-short', true],
    ['TELEGRAM_API_ROOT', 'ftp://zq9.example.com', false],
    ['TELEGRAM_BOT_USERNAME', '9zq9_bot', false],
    ['TELEGRAM_WEBHOOK_SECRET', 'zq9 has spaces', true],
    ['TELEGRAM_POLL', 'zq9', false],
    ['DATABASE_CONNECTION_STRING', 'postgres://zq9@db/bot', true],
    ['DEV_ACCOUNTS', 'zq9-without-a-colon', true],
    ['QUEUE_URL', 'https://sqs.eu-central-1.amazonaws.com/123/zq9-standard-queue', false],
    ['PARKED_QUEUE_URL', 'https://sqs.eu-central-1.amazonaws.com/123/zq9-standard-queue', false],
    ['SQS_ENDPOINT', 'localhost:zq9', false],
    ['LEDGER_TABLE', 'zq', false],
    ['LEDGER_TABLE', 'zq9 space', false],
    ['DYNAMODB_ENDPOINT', 'localhost:zq9', false],
    ['AWS_REGION', 'zq9-region', false],
    ['HOST', 'zq9 host', false],
    ['PORT', '65536', false],
    ['PORT', 'zq9', false],
    ['LOG_LEVEL', 'zq9verbose', false]
  ]
  for (const [name, value, secret] of cases) {
    const error = thrown(() => loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, [name]: value }, {}))
    t.type(error, ConfigError, name)
    t.equal(error.name, 'ConfigError')
    t.match(error.message, new RegExp(`^${name} is malformed${secret ? ' \\(value hidden\\)' : ''}: expected .+`), `${name}: names the variable`)
    t.notOk(error.message.includes('zq9') || error.message.includes(value), `${name}: the value is not in the message`)
    t.notOk(error.message.includes('\n'), `${name}: one line`)
    t.notMatch(error.message, /undefined/, `${name}: has a hint`)
    t.equal(error.message.includes('(value hidden)'), secret, `${name}: ${secret ? 'marked' : 'not marked'} as hidden`)
  }
})

t.test('an empty variable counts as unset', async (t) => {
  const config = loadConfig({ TELEGRAM_BOT_TOKEN: '', TELEGRAM_WEBHOOK_SECRET: '', LOG_LEVEL: '', PORT: '', QUEUE_URL: '', DATABASE_CONNECTION_STRING: '' }, {})
  t.equal(config.telegram.botToken, undefined)
  t.equal(config.telegram.webhookSecret, undefined)
  t.equal(config.logLevel, 'info')
  t.equal(config.server.port, 3000)
  t.equal(config.queue.url, undefined)
  t.equal(config.database.connectionString, 'sqlite:.data/local.sqlite')
})

t.test('SST links win over environment variables', async (t) => {
  const linkedToken = '987654321:LINKED-token_0123456789abcdefghij'
  const linkedQueue = 'https://sqs.eu-central-1.amazonaws.com/123456789012/linked.fifo'
  const linkedDatabase = 'Server=linked.example.com;Database=bot'
  const config = loadConfig(
    { TELEGRAM_BOT_TOKEN: TOKEN, QUEUE_URL: FIFO_URL, DATABASE_CONNECTION_STRING: 'sqlite:env.sqlite', LOG_LEVEL: 'warn' },
    { TELEGRAM_BOT_TOKEN: linkedToken, QUEUE_URL: linkedQueue, DATABASE_CONNECTION_STRING: linkedDatabase }
  )
  t.equal(config.telegram.botToken, linkedToken)
  t.equal(config.telegram.webhookSecret, deriveWebhookSecret(linkedToken), 'the secret follows the linked token')
  t.equal(config.queue.url, linkedQueue)
  t.equal(config.database.connectionString, linkedDatabase)
  t.equal(config.logLevel, 'warn', 'unlinked variables still come from the environment')

  t.equal(loadConfig({ PARKED_QUEUE_URL: FIFO_URL }, { PARKED_QUEUE_URL: linkedQueue }).queue.parkedUrl, linkedQueue, 'the parked queue too')

  const onlyQueue = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN }, { QUEUE_URL: linkedQueue })
  t.equal(onlyQueue.telegram.botToken, TOKEN, 'a link that is absent leaves the variable in charge')
  t.equal(onlyQueue.queue.url, linkedQueue)

  t.throws(() => loadConfig({}, { TELEGRAM_BOT_TOKEN: 'zq9-linked' }), { name: 'ConfigError', message: 'TELEGRAM_BOT_TOKEN is malformed (value hidden): expected a BotFather token such as 123456:ABC…' }, 'a linked value is validated too')
})

/** Behaves like SST's `Resource`: reading a name that is not linked throws. */
function sstResource (linked: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(linked, {
    get (target, name) {
      if (typeof name === 'string' && !(name in target)) throw new Error(`"${name}" is not linked in your sst.config.ts`)
      return Reflect.get(target, name)
    }
  })
}

t.test('readSstLinks reads the linked resources and never touches unlinked names', async (t) => {
  const linkedToken = '987654321:LINKED-token_0123456789abcdefghij'
  const linkedQueue = 'https://sqs.eu-central-1.amazonaws.com/123456789012/linked.fifo'
  const linkedParked = 'https://sqs.eu-central-1.amazonaws.com/123456789012/linked-parked.fifo'
  t.same(readSstLinks(sstResource({
    App: { name: 'telegram-register-bot', stage: 'dev' },
    TELEGRAM_BOT_TOKEN: { type: 'sst.sst.Secret', value: linkedToken },
    TELEGRAM_WEBHOOK_SECRET: { type: 'sst.sst.Secret', value: 'linked_webhook-secret' },
    DATABASE_CONNECTION_STRING: { type: 'sst.sst.Secret', value: 'Server=db;Database=bot' },
    Updates: { type: 'sst.aws.Queue', url: linkedQueue },
    UpdatesParked: { type: 'sst.aws.Queue', url: linkedParked },
    UpdateLedger: { type: 'sst.aws.Dynamo', name: 'bot-dev-UpdateLedgerTable' }
  })), { TELEGRAM_BOT_TOKEN: linkedToken, TELEGRAM_WEBHOOK_SECRET: 'linked_webhook-secret', DATABASE_CONNECTION_STRING: 'Server=db;Database=bot', QUEUE_URL: linkedQueue, PARKED_QUEUE_URL: linkedParked, LEDGER_TABLE: 'bot-dev-UpdateLedgerTable' })

  t.same(readSstLinks(sstResource({ App: { name: 'bot' } })), {}, 'nothing linked: no values, no throw')
  t.same(readSstLinks(sstResource({ Updates: { url: linkedQueue } })), { QUEUE_URL: linkedQueue }, 'some linked')
  t.same(readSstLinks(sstResource({ TELEGRAM_BOT_TOKEN: { value: 42 }, Updates: null, DATABASE_CONNECTION_STRING: {} })), {}, 'a linked resource without a string value is ignored')
  t.same(readSstLinks(), {}, 'outside SST (no links active) the real Resource yields nothing')
})

t.test('the webhook secret: derived from the token unless set', async (t) => {
  const derived = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN }, {}).telegram.webhookSecret
  t.equal(derived, deriveWebhookSecret(TOKEN))
  t.match(derived, /^[A-Za-z0-9_-]{1,256}$/, "within Telegram's allowed characters and length")
  t.equal(derived?.length, 43, 'a SHA-256 HMAC in base64url')
  t.not(derived, TOKEN)
  t.notOk(derived?.includes(TOKEN.split(':')[1] ?? TOKEN), 'the token is not readable from the secret')
  t.equal(deriveWebhookSecret(TOKEN), derived, 'deterministic: every cold start derives the same secret')
  t.not(deriveWebhookSecret('123456789:OTHER-test_token_0123456789abcdefghi'), derived, 'another token, another secret')

  t.equal(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'explicit' }, {}).telegram.webhookSecret, 'explicit', 'an explicit secret wins')
  t.equal(loadConfig({ TELEGRAM_WEBHOOK_SECRET: 'only-a-secret' }, {}).telegram.webhookSecret, 'only-a-secret', 'a secret without a token')
  t.equal(loadConfig({ TELEGRAM_WEBHOOK_SECRET: 'x'.repeat(256) }, {}).telegram.webhookSecret?.length, 256, '256 characters is the maximum')
  t.throws(() => loadConfig({ TELEGRAM_WEBHOOK_SECRET: 'x'.repeat(257) }, {}), { message: /^TELEGRAM_WEBHOOK_SECRET is malformed \(value hidden\)/ })
})

t.test('requireSetting', async (t) => {
  t.equal(requireSetting('value', 'SOME_VARIABLE'), 'value')
  t.equal(requireSetting(0, 'PORT'), 0, 'only absence fails')
  t.equal(requireSetting('', 'SOME_VARIABLE'), '')
  const error = thrown(() => requireSetting(undefined, 'QUEUE_URL'))
  t.type(error, ConfigError)
  t.equal(error.message, 'QUEUE_URL is required')
})
