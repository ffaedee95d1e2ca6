/** `npm run db:verify`, run as npm runs it (tsx) against the TDS responder, and its `--stage` path against a fake Lambda endpoint. */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import t, { type Test } from 'tap'
import { declaredContracts } from '../../src/db/declared-contracts.js'
import { withoutCoverage } from '../support/child-process.js'
import { catalogOf } from '../support/tds-catalog.js'
import { TdsResponder } from '../support/tds-responder.js'

// Four runs of the script through tsx, each loading mssql and the AWS SDK: 2–3 s of CPU each, but up to 30 s
// apiece on a shared machine under load (measured at a load average of 28 on 2 cores), hence 240 s for the
// file rather than the default 30; the heavy modules are loaded after it is set.
t.setTimeout(240_000)
const [{ LambdaClient: Lambda }, { verifyFromHere, verifyInStage }, { commands }, { CATALOG_CANNOT_TELL }] = await Promise.all([
  import('@aws-sdk/client-lambda'), import('../../scripts/lib/db-verify.js'), import('../../src/commands/index.js'), import('../../src/db/verify.js')
])

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** A password that would be noticed anywhere in the output. */
const PASSWORD = 'Pw-3b9d-NOTICE-ME'

async function dbVerify (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null, output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/db-verify.ts', ...args], {
    cwd: ROOT,
    env: withoutCoverage({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env }),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const [code] = await once(child, 'close') as [number | null]
  return { code, output }
}

t.test('--help prints the usage; an unknown option is refused in one line', async (t) => {
  const help = await dbVerify(['--help'])
  t.equal(help.code, 0)
  t.match(help.output, /^Checks every database contract/)
  t.match(help.output, /cannot tell what a procedure's return value means, nor T-SQL parameter defaults/)
  t.match(help.output, /--stage <stage>/)
  const refused = await dbVerify(['--stge', 'dev'])
  t.equal(refused.code, 1)
  t.equal(refused.output, 'error: unknown option --stge (npm run db:verify -- --help lists the options)\n')
})

t.test('the registry\'s contracts against a matching catalog: ok for each, exit 0', async (t) => {
  const responder = await TdsResponder.start()
  t.teardown(async () => { await responder.close() })
  const declared = declaredContracts(commands)
  for (const contract of declared) responder.catalog[contract.name] = catalogOf(contract)
  const { code, output } = await dbVerify([], { DATABASE_CONNECTION_STRING: responder.connectionString(`Password=${PASSWORD};`) })
  t.equal(code, 0, output)
  const expected = declared.length === 0
    ? ['connected; no command declares a database contract: nothing else to verify']
    : [...declared.map((contract) => `ok ${contract.name}`), CATALOG_CANNOT_TELL]
  t.same(output.trimEnd().split('\n'), expected)
  t.equal(responder.logins.length, 1, 'it did connect')
})

t.test('an unreachable server: one line naming the setting, never the password, exit 1', async (t) => {
  const responder = await TdsResponder.start()
  await responder.close()
  const connectionString = `Server=127.0.0.1,${responder.port};Database=platform;User Id=bot;Password=${PASSWORD};Encrypt=false;Connect Timeout=2`
  const { code, output } = await dbVerify([], { DATABASE_CONNECTION_STRING: connectionString })
  t.equal(code, 1)
  t.equal(output, 'DATABASE_CONNECTION_STRING: the server cannot be reached (value hidden)\n')
  t.notMatch(output, PASSWORD)
})

t.test('no connection string: one line saying where to get it', async (t) => {
  await t.rejects(verifyFromHere({}, {}), { message: 'DATABASE_CONNECTION_STRING is not set: set it, or run `npx sst shell --stage <stage> -- npm run db:verify`' })
})

interface Invocation { path: string, headers: IncomingHttpHeaders, payload: unknown }

/** A Lambda Invoke endpoint (POST /2015-03-31/functions/<name>/invocations) answering with `answer`. */
async function fakeLambda (t: Test, answer: (invocation: Invocation) => { body: string, functionError?: string }): Promise<{ client: LambdaClient, invocations: Invocation[] }> {
  const invocations: Invocation[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => { body += chunk.toString() })
    request.on('end', () => {
      const invocation = { path: request.url ?? '', headers: request.headers, payload: JSON.parse(body) as unknown }
      invocations.push(invocation)
      const reply = answer(invocation)
      response.writeHead(200, { 'content-type': 'application/json', ...(reply.functionError === undefined ? {} : { 'x-amz-function-error': reply.functionError }) })
      response.end(reply.body)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.close() })
  const client = new Lambda({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } })
  return { client, invocations }
}

function outputsFile (t: Test, outputs: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'db-verify-outputs-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const file = join(dir, 'outputs.json')
  writeFileSync(file, JSON.stringify(outputs))
  return file
}

t.test('--stage: invokes the stage\'s Worker with the verification request and returns its report', async (t) => {
  const report = { ok: false, lines: ['dbo.X: the login may not EXECUTE it', CATALOG_CANNOT_TELL] }
  const { client, invocations } = await fakeLambda(t, () => ({ body: JSON.stringify(report) }))
  const file = outputsFile(t, { stage: 'dev', workerFunctionName: 'bot-dev-WorkerFunction-abc' })
  t.same(await verifyInStage('dev', { outputsFile: file, client }), report)
  t.equal(invocations.length, 1)
  t.equal(invocations[0]?.path, '/2015-03-31/functions/bot-dev-WorkerFunction-abc/invocations')
  t.same(invocations[0]?.payload, { request: 'db:verify' })
  t.match(String(invocations[0]?.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//, 'signed with the caller\'s credentials')
})

t.test('--stage: a Worker that fails, or answers something else, is one clear error', async (t) => {
  const file = outputsFile(t, { stage: 'dev', workerFunctionName: 'worker-fn' })
  const failing = await fakeLambda(t, () => ({ body: '{"errorType":"Error","errorMessage":"boom"}', functionError: 'Unhandled' }))
  await t.rejects(verifyInStage('dev', { outputsFile: file, client: failing.client }), /^the Worker worker-fn of stage dev failed \(Unhandled\): its log says why/)
  const other = await fakeLambda(t, () => ({ body: '{"batchItemFailures":[]}' }))
  await t.rejects(verifyInStage('dev', { outputsFile: file, client: other.client }), /did not answer with a db:verify report/)
  const garbled = await fakeLambda(t, () => ({ body: 'not json' }))
  await t.rejects(verifyInStage('dev', { outputsFile: file, client: garbled.client }), /did not answer with a db:verify report/)
  await t.rejects(verifyInStage('prod', { outputsFile: file, client: other.client }), /is from stage dev, not prod: deploy stage prod from this checkout/)
})
