import { readFileSync } from 'node:fs'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda'
import { build } from 'esbuild'
import t from 'tap'
import { LAMBDA_ESBUILD_OPTIONS } from '../infra/lambda-build.js'
import packageJson from '../package.json' with { type: 'json' }
import { createFifoQueue, drainQueue, sqsClient, startSqsEmulator } from './support/sqs.js'
import { FILE_BUDGET_MS } from './support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.lambdaBundles)

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>

/** The secret the fixtures carry in `x-telegram-bot-api-secret-token`. */
const FIXTURE_SECRET = 'fixture-webhook-secret_0123456789'

function fixture (name: string): APIGatewayProxyEventV2 {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as APIGatewayProxyEventV2
}

function lambdaContext (): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'telegram-register-bot-dev-ApiFunction',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:telegram-register-bot-dev-ApiFunction',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/telegram-register-bot-dev-ApiFunction',
    logStreamName: '2025/11/22/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => {},
    fail: () => {},
    succeed: () => {}
  }
}

const sqs = await startSqsEmulator()
t.teardown(async () => { await sqs.stop() })
const client = sqsClient(sqs)
const queueUrl = createFifoQueue(sqs, 'lambda')

/** The variables the deployed function has, as SST would set them (no SST links in tests). */
const lambdaEnv: Record<string, string> = {
  QUEUE_URL: queueUrl,
  SQS_ENDPOINT: sqs.address,
  TELEGRAM_BOT_TOKEN: '123456789:LAMBDA-test_token_0123456789abcdefgh',
  TELEGRAM_WEBHOOK_SECRET: FIXTURE_SECRET,
  AWS_REGION: 'eu-central-1',
  LOG_LEVEL: 'silent'
}

/** Sets the variables for one import and restores the previous ones afterwards. */
async function withEnv<T> (env: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const previous = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]))
  const assign = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name)
      else process.env[name] = value
    }
  }
  assign(env)
  try {
    return await run()
  } finally {
    assign(previous)
  }
}

// The module runs loadConfig() and app.ready() at import: the environment must be in place first.
const { handler } = await withEnv(lambdaEnv, async () => await import('../src/lambda.js')) as { handler: Handler }

t.test('a webhook call (payload v2, plain body) → 200 and exactly one queued message', async (t) => {
  const event = fixture('apigw-v2-webhook')
  const context = lambdaContext()
  const result = await handler(event, context)
  t.equal(result.statusCode, 200)
  t.equal(result.body, '{"ok":true}')
  t.equal(result.isBase64Encoded, false)
  t.match(result.headers?.['content-type'], /^application\/json/)
  t.equal(context.callbackWaitsForEmptyEventLoop, false, 'the response does not wait for idle sockets')

  const messages = await drainQueue(client, queueUrl)
  t.equal(messages.length, 1)
  t.equal(messages[0]?.Body, event.body, 'the update exactly as Telegram sent it')
  t.equal(messages[0]?.Attributes?.MessageGroupId, 'user-5550001')
  t.equal(messages[0]?.Attributes?.MessageDeduplicationId, '734001')
  t.equal(messages[0]?.MessageAttributes?.UpdateType?.StringValue, 'message')
})

t.test('a base64-encoded body is decoded before parsing', async (t) => {
  const event = fixture('apigw-v2-webhook-base64')
  t.equal(event.isBase64Encoded, true)
  const result = await handler(event, lambdaContext())
  t.equal(result.statusCode, 200)
  t.equal(result.body, '{"ok":true}')
  const messages = await drainQueue(client, queueUrl)
  t.equal(messages.length, 1)
  t.equal(messages[0]?.Body, Buffer.from(event.body ?? '', 'base64').toString('utf8'), 'decoded, non-ASCII text intact')
  t.match(JSON.parse(messages[0]?.Body ?? ''), { update_id: 734002, message: { text: 'héllo — base64 ✓' } })
  t.equal(messages[0]?.Attributes?.MessageDeduplicationId, '734002')
})

t.test('a wrong or missing secret → 401 and nothing queued', async (t) => {
  const wrong = fixture('apigw-v2-webhook')
  wrong.headers['x-telegram-bot-api-secret-token'] = 'fixture-webhook-secret_0123456788'
  const missing = fixture('apigw-v2-webhook-base64')
  delete missing.headers['x-telegram-bot-api-secret-token']
  for (const event of [wrong, missing]) {
    const result = await handler(event, lambdaContext())
    t.equal(result.statusCode, 401)
    t.same(JSON.parse(result.body ?? ''), { error: 'Unauthorized', message: 'missing or wrong X-Telegram-Bot-Api-Secret-Token' })
  }
  t.same(await drainQueue(client, queueUrl), [])
})

t.test('a header the proxy reserves for itself cannot be forged', async (t) => {
  const event = fixture('apigw-v2-health')
  event.headers['x-apigateway-event'] = encodeURIComponent(JSON.stringify({ forged: true }))
  event.headers['x-aws-lambda-fastify-request'] = 'forged'
  const result = await handler(event, lambdaContext())
  t.equal(result.statusCode, 200)
})

t.test('GET /health and GET /health?deep=true (with v2 cookies)', async (t) => {
  const plain = await handler(fixture('apigw-v2-health'), lambdaContext())
  t.equal(plain.statusCode, 200)
  t.match(JSON.parse(plain.body ?? ''), { status: 'ok', version: packageJson.version, uptime: Number })
  t.notOk('checks' in JSON.parse(plain.body ?? ''))

  const deepEvent = fixture('apigw-v2-health-deep')
  t.same(deepEvent.cookies, ['session=abc', 'theme=dark'])
  const deep = await handler(deepEvent, lambdaContext())
  t.equal(deep.statusCode, 200)
  t.match(JSON.parse(deep.body ?? ''), { status: 'ok', checks: { queue: 'ok' } })
  t.notOk(deep.cookies, 'no cookies are set')
})

t.test('an unknown path → 404', async (t) => {
  const event = fixture('apigw-v2-health')
  event.rawPath = '/nope'
  event.requestContext.http.path = '/nope'
  const result = await handler(event, lambdaContext())
  t.equal(result.statusCode, 404)
})

t.test('a configuration error rejects the import with the one-line ConfigError', async (t) => {
  const importFresh = async (tag: string): Promise<unknown> => await import(`../src/lambda.js?${tag}`)

  const missingQueue = withEnv({ ...lambdaEnv, QUEUE_URL: undefined }, async () => await importFresh('missing-queue'))
  await t.rejects(missingQueue, { name: 'ConfigError', message: 'QUEUE_URL is required' })

  const malformed = withEnv({ ...lambdaEnv, QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/not-fifo-7f3a' }, async () => await importFresh('malformed-queue'))
  await t.rejects(malformed, { name: 'ConfigError', message: /^QUEUE_URL is malformed: / })
  await malformed.catch((error: Error) => {
    t.notOk(error.message.includes('7f3a'), 'the value is not repeated')
    t.notOk(error.message.includes('\n'), 'one line')
  })

  const malformedToken = withEnv({ ...lambdaEnv, TELEGRAM_BOT_TOKEN: 'not-a-token-9e8d' }, async () => await importFresh('malformed-token'))
  await t.rejects(malformedToken, { name: 'ConfigError', message: 'TELEGRAM_BOT_TOKEN is malformed (value hidden): expected a BotFather token such as 123456:ABC…' })

  const noSecret = withEnv({ ...lambdaEnv, TELEGRAM_BOT_TOKEN: undefined, TELEGRAM_WEBHOOK_SECRET: undefined }, async () => await importFresh('no-secret'))
  await t.rejects(noSecret, { name: 'ConfigError', message: 'TELEGRAM_WEBHOOK_SECRET (or TELEGRAM_BOT_TOKEN) is required' })
})

t.test('the Api Lambda bundle leaves out the worker-only packages, Ajv and fast-json-stringify', async (t) => {
  // Bundled as deployed (infra/lambda-build.ts), with nothing external: better-sqlite3 must not even be referenced.
  const result = await build({
    ...LAMBDA_ESBUILD_OPTIONS,
    entryPoints: [new URL('../src/lambda.ts', import.meta.url).pathname],
    absWorkingDir: new URL('..', import.meta.url).pathname,
    external: [],
    metafile: true,
    write: false,
    outfile: 'index.mjs',
    logLevel: 'silent'
  })
  const inputs = Object.keys(result.metafile.inputs)
  t.ok(inputs.includes('src/lambda.ts'), 'the entry is bundled')
  t.ok(inputs.some((path) => path.includes('node_modules/fastify/')), 'its dependencies too')
  // Fastify's own precompiled error serializer keeps fast-json-stringify's small runtime (lib/); its compiler stays out.
  for (const name of ['telegraf', 'mssql', 'tedious', 'better-sqlite3', 'ajv', 'ajv-formats', 'fast-json-stringify/index.js', '@aws-sdk/credential-provider-ini']) {
    const included = inputs.filter((path) => path.includes(`node_modules/${name}`))
    t.same(included, [], `${name} is not in the module graph`)
  }
  const bytes = result.outputFiles.reduce((total, file) => total + file.contents.byteLength, 0)
  t.comment(`Api Lambda bundle: ${(bytes / 1024).toFixed(0)} KiB minified, ${inputs.length} modules`)
})
