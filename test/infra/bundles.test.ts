/**
 * Each function's real bundle, built with the options sst.config.ts gives SST, loaded as Lambda's
 * init phase loads it: alone in a directory, with the function's environment and SST links only.
 * This catches what the resource checks cannot: a package the bundle imports at load time but does
 * not contain, a banner that breaks the module, a setting the code requires but is not linked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import t, { type Test } from 'tap'
import { LAMBDA_NODEJS, LAMBDA_PLUGINS } from '../../infra/lambda-build.js'
import { STAND_INS } from '../../infra/lambda-plugins.mjs'
import { LAMBDA_NODE_MAJOR, nodeBinary } from '../../scripts/lib/node-release.js'
import { HANDLERS, lambda, type FunctionRole } from './deployment.js'
import { bundleLambda, entryOf, loadLambda } from './lambda-bundle.js'
import { deployWithMocks, ROOT, TEST_STAGES } from './mock-deploy.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.lambdaBundles)

const deployment = await deployWithMocks('prod', { stages: TEST_STAGES })

/** This Node and the one Lambda runs (`npm test` installs it: scripts/node-install.sh). */
const NODES = [...new Set([process.execPath, nodeBinary(LAMBDA_NODE_MAJOR)])]
/** The deployed build, for an entry outside the repository (a scratch file) that imports the project's packages. */
const SCRATCH_BUILD = { ...LAMBDA_NODEJS, esbuild: { ...LAMBDA_NODEJS.esbuild, nodePaths: [join(ROOT, 'node_modules')] } }
const versionOf = (node: string): string => node === process.execPath ? process.version : `Node ${LAMBDA_NODE_MAJOR} (${node.replace(/.*\/\.sst\//, '.sst/')})`

/** What Lambda gives the process: the function's variables (minus the key of the encrypted link file, replaced by plain JSON), region, credentials. */
function lambdaEnvironment (role: FunctionRole, taskRoot: string): Record<string, string> {
  const fn = lambda(deployment, role)
  const build = deployment.builds.find((candidate) => candidate.handler === HANDLERS[role])
  const { SST_KEY: _key, SST_KEY_FILE: _file, ...variables } = (fn?.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {}
  return {
    ...variables,
    SST_RESOURCES_JSON: JSON.stringify(build?.resources ?? {}),
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'mock',
    AWS_SECRET_ACCESS_KEY: 'mock',
    AWS_LAMBDA_FUNCTION_NAME: String(fn?.state.name),
    AWS_EXECUTION_ENV: `AWS_Lambda_${String(fn?.inputs.runtime)}`,
    LAMBDA_TASK_ROOT: taskRoot
  }
}

interface Scratch {
  dir: string
  bundle: (entry: string, properties: Parameters<typeof bundleLambda>[1], outDir: string) => ReturnType<typeof bundleLambda>
  load: (file: string, env: Record<string, string>, node?: string) => ReturnType<typeof loadLambda>
}

/**
 * A scratch folder of one case, removed when the case ends, and that case's builds and loads. A case
 * that runs out of its file's budget ends while its work goes on: that work is stopped then (the
 * Node process it waits for is killed, a later step is not started) and fails with this message,
 * instead of tripping over the folder the teardown removed (`Could not resolve …/credentials.ts`).
 */
function scratch (t: Test, prefix: string): Scratch {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const ended = new AbortController()
  t.teardown(() => {
    ended.abort(new Error(`"${t.name}" ended (out of time?) while it was still building or loading in ${dir}: that work was stopped`))
    rmSync(dir, { recursive: true, force: true })
  })
  return {
    dir,
    bundle: async (entry, properties, outDir) => await bundleLambda(entry, properties, outDir, ended.signal),
    load: async (file, env, node) => await loadLambda(file, env, node, ended.signal)
  }
}

/**
 * A scratch entry (its source lines, ending with `export const handler`) bundled as the functions are
 * and loaded on this Node and Lambda's: each load's output should match `expected`.
 */
async function probeOnEveryNode (t: Test, name: string, source: string[], expected: string): Promise<void> {
  const work = scratch(t, `lambda-${name}-`)
  const { dir } = work
  const entry = join(dir, `${name}.ts`)
  writeFileSync(entry, source.join('\n'))
  const bundle = await work.bundle(entry, SCRATCH_BUILD, join(dir, 'out'))
  for (const node of NODES) t.match((await work.load(bundle.file, {}, node)).output, expected, `on ${versionOf(node)}`)
}

for (const role of Object.keys(HANDLERS) as FunctionRole[]) {
  t.test(`${role} (${HANDLERS[role]})`, async (t) => {
    const build = deployment.builds.find((candidate) => candidate.handler === HANDLERS[role])
    if (build === undefined) return t.fail(`no function has the handler ${HANDLERS[role]}`)
    const work = scratch(t, `lambda-${role}-`)
    const { dir } = work
    const bundle = await work.bundle(entryOf(build.handler), build.properties, dir)

    t.same(bundle.staticExternalImports.filter((name) => !bundle.installed.includes(name)), [], 'every package imported at load time ships with the bundle')
    if (role === 'worker') t.same(['mssql', 'tedious'].filter((name) => !bundle.packages.has(name)), [], 'the SQL Server driver is bundled')
    if (role === 'worker') t.notOk(bundle.packages.has('@aws-sdk/client-sqs'), 'the Worker carries no queue sender (it never enqueues)')
    if (role === 'api') t.same(['telegraf', 'mssql', 'tedious'].filter((name) => bundle.packages.has(name)), [], 'the webhook does not carry the worker\'s libraries')

    for (const node of NODES) {
      const loaded = await work.load(bundle.file, lambdaEnvironment(role, dir), node)
      t.ok(loaded.ok, `initialises on ${versionOf(node)} with only its own links and environment, and exports handler`, { output: loaded.output.slice(-3000) })
    }
  })
}

t.test('the stand-ins resolve through SST\'s plugin protocol, which tests the filter itself and passes Go-shaped arguments', async (t) => {
  // As SST 4.17.1's builder runs a `nodejs.plugins` file: setup() against a stub with onResolve/onLoad/onEnd;
  // per resolve, every onResolve whose `new RegExp(filter)` matches the path is called with esbuild's
  // Go arguments (capitalised keys) until one answers.
  const onResolve: Array<{ filter: RegExp, callback: (args: unknown) => unknown }> = []
  for (const plugin of LAMBDA_PLUGINS) {
    await plugin.setup({ onResolve: (options: { filter: RegExp }, callback: (args: unknown) => unknown) => { onResolve.push({ filter: options.filter, callback }) }, onLoad: () => {}, onEnd: () => {} } as never)
  }
  const resolve = async (path: string): Promise<unknown> => {
    for (const { filter, callback } of onResolve) {
      if (!new RegExp(filter).test(path)) continue
      const reply = await callback({ Path: path, Importer: '/x/node_modules/fastify/lib/schema-controller.js', Namespace: 'file', ResolveDir: '/x', Kind: 1 })
      if (reply !== undefined && reply !== null) return reply
    }
    return {}
  }
  for (const [name, file] of Object.entries(STAND_INS)) t.same(await resolve(name), { path: file }, `${name} → ${file.replace(/.*\/infra\//, 'infra/')}`)
  for (const name of ['fastify', '@fastify/ajv-compiler/standalone', 'node:https', 'https', '@aws-sdk/credential-provider-env']) t.same(await resolve(name), {}, `${name} left alone`)
})

t.test('a Fastify that asks for a compiler the stand-ins replace fails at init, loudly', async (t) => {
  const work = scratch(t, 'lambda-stand-ins-')
  const { dir } = work
  const cases: Array<[string, string, RegExp]> = [
    ['default-compilers', 'Fastify()', /Fastify asked for its default Ajv validator compiler, which this bundle leaves out/],
    ['default-serializer', 'Fastify({ schemaController: { compilersFactory: { buildValidator: () => () => () => true } } })', /Fastify asked for its default fast-json-stringify serializer compiler, which this bundle leaves out/]
  ]
  for (const [name, construction, message] of cases) {
    const entry = join(dir, `${name}.ts`)
    writeFileSync(entry, `import Fastify from 'fastify'\nconst app = ${construction}\nexport const handler = async () => app.server\n`)
    const bundle = await work.bundle(entry, SCRATCH_BUILD, join(dir, name))
    t.same(['@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'].filter((name) => bundle.packages.has(name)), [], `${name}: the compilers are not in the bundle`)
    for (const node of NODES) {
      const loaded = await work.load(bundle.file, {}, node)
      t.notOk(loaded.ok, `${name} on ${versionOf(node)}: init fails`)
      t.match(loaded.output, message, `${name} on ${versionOf(node)}: with the reason`)
    }
  }
})

t.test('SQL Server\'s Entra ID (Azure AD) logins are left out of the Lambda bundles, and say so when asked for', async (t) => {
  const work = scratch(t, 'lambda-entra-')
  const { dir } = work
  const entry = join(dir, 'entra.ts')
  writeFileSync(entry, "import { ClientSecretCredential } from '@azure/identity'\nexport const handler = async () => new ClientSecretCredential('tenant', 'client', 'secret')\n")
  const bundle = await work.bundle(entry, SCRATCH_BUILD, join(dir, 'out'))
  t.same(['@azure/identity', '@azure/msal-node'].filter((name) => bundle.packages.has(name)), [], 'the Entra ID client is not in the bundle')
  const probe = join(dir, 'out', 'probe.mjs')
  writeFileSync(probe, `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle.file).href)})\ntry { await handler() } catch (error) { console.log(error.message) }\n`)
  const loaded = await work.load(probe, {})
  t.match(loaded.output, /Microsoft Entra ID \(Azure AD\) authentication for SQL Server is left out of this bundle/)
})

t.test('an ES import of node:http in a Lambda bundle is Node\'s own module and does not load undici', async (t) => {
  await probeOnEveryNode(t, 'http', [
    "import http, { STATUS_CODES } from 'node:http'",
    "import { createRequire } from 'node:module'",
    "const same = http === createRequire(import.meta.url)('http') && STATUS_CODES[404] === 'Not Found'",
    "const undici = process.moduleLoadList.some((name) => name.includes('undici'))",
    'console.log(JSON.stringify({ same, undici }))',
    'export const handler = async () => same'
  ], '{"same":true,"undici":false}')
})

t.test('the lazy stand-ins (http2, dns, semver) answer as the real modules do, through ES imports too', async (t) => {
  await probeOnEveryNode(t, 'lazy', [
    "const http2 = (await import('node:http2')).default",
    "const dns = (await import('node:dns')).default",
    "const semver = (await import('semver')).default",
    "const sameHttp2 = http2.connect === process.getBuiltinModule('node:http2').connect && http2.constants.HTTP2_HEADER_STATUS === ':status' && 'createServer' in http2",
    "const sameDns = typeof dns.lookup === 'function' && Object.keys(dns).includes('lookup')",
    "const ranges = [semver.satisfies('5.12.8', '5.x'), semver.satisfies('5.12.8', '>=4 <5'), semver.gt('5.1.0', semver.coerce('5.0')), String(new semver.SemVer('1.2.3'))]",
    'console.log(JSON.stringify({ sameHttp2, sameDns, ranges }))',
    'export const handler = async () => true'
  ], '{"sameHttp2":true,"sameDns":true,"ranges":[true,false,true,"1.2.3"]}')
})

t.test('Fastify in a Lambda bundle no longer loads http2 and dns at init', async (t) => {
  await probeOnEveryNode(t, 'lazy-fastify', [
    "import Fastify from 'fastify'",
    'import { schemaCompilers } from ' + JSON.stringify(join(ROOT, 'src/schema-compilers.ts')),
    'const app = Fastify({ schemaController: { compilersFactory: schemaCompilers } })',
    "app.get('/', async () => ({ ok: true }))",
    'await app.ready()',
    "const answer = (await app.inject({ url: '/' })).body",
    "const loaded = ['http2', 'dns'].filter((name) => process.moduleLoadList.includes('NativeModule ' + name))",
    'console.log(JSON.stringify({ answer, loaded }))',
    'export const handler = async () => answer'
  ], '{"answer":"{\\"ok\\":true}","loaded":[]}')
})

t.test('tedious\'s date and time parameters in a Lambda bundle (js-joda stand-in) are the bytes the real js-joda gives', async (t) => {
  const work = scratch(t, 'lambda-dates-')
  const { dir } = work
  const entry = join(dir, 'dates.ts')
  const probe = [
    "import { TYPES } from 'tedious'",
    'const out: Record<string, string> = {}',
    // A leap day, SQL Server's datetime minimum, the last second of 9999, and a date before 1900 (negative days for datetime).
    'for (const value of [new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789)), new Date(Date.UTC(1753, 0, 1)), new Date(Date.UTC(9999, 11, 31, 23, 59, 59)), new Date(1899, 11, 31, 8)]) {',
    "  for (const name of ['Date', 'DateTime', 'DateTime2', 'DateTimeOffset'] as const) {",
    '    for (const useUTC of [true, false]) {',
    "      const chunks = [...(TYPES[name] as any).generateParameterData({ value, scale: 7 }, { useUTC, tdsVersion: '7_4' })] as Buffer[]",
    "      out[[name, value.toISOString(), useUTC].join(' ')] = Buffer.concat(chunks).toString('hex')",
    '    }',
    '  }',
    '}'
  ]
  writeFileSync(entry, [...probe, 'console.log(JSON.stringify(out))', 'export const handler = async () => out'].join('\n'))
  const bundle = await work.bundle(entry, SCRATCH_BUILD, join(dir, 'out'))
  t.notOk(bundle.packages.has('@js-joda/core'), 'js-joda is not in the bundle')
  // The same probe built without the stand-ins: tedious with the real js-joda.
  const { plugins: _plugins, ...withoutStandIns } = SCRATCH_BUILD
  const real = await work.bundle(entry, withoutStandIns, join(dir, 'real'))
  t.ok(real.packages.has('@js-joda/core'), 'the reference has js-joda')
  const expected = (await work.load(real.file, { TZ: 'Europe/Paris' })).output.trim()
  t.equal(Object.keys(JSON.parse(expected) as object).length, 32, 'the probe covered 4 types × 4 dates × UTC and local')
  for (const node of NODES) {
    const loaded = await work.load(bundle.file, { TZ: 'Europe/Paris' }, node)
    t.match(loaded.output, expected, `on ${versionOf(node)}`)
  }
})

t.test('an AWS SDK client in a Lambda bundle reads credentials from the environment, and says so when they are missing', async (t) => {
  const work = scratch(t, 'lambda-credentials-')
  const { dir } = work
  const entry = join(dir, 'credentials.ts')
  // DynamoDB as well as SQS: every client resolves the same default chain, so the stand-in serves both.
  writeFileSync(entry, [
    "import { SQSClient } from '@aws-sdk/client-sqs'",
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'",
    "const clients = [new SQSClient({ region: 'us-east-1' }), new DynamoDBClient({ region: 'us-east-1' })]",
    'const found = await Promise.allSettled(clients.map(async (client) => await client.config.credentials()))',
    "console.log(JSON.stringify(found.map((result) => result.status === 'fulfilled' ? result.value.accessKeyId : result.reason.message)))",
    'export const handler = async () => found'
  ].join('\n'))
  const bundle = await work.bundle(entry, SCRATCH_BUILD, join(dir, 'out'))
  t.same(['@aws-sdk/credential-provider-node', '@aws-sdk/credential-provider-ini', '@aws-sdk/credential-provider-sso'].filter((name) => bundle.packages.has(name)), [], 'the default chain is not in the bundle')
  const withKeys = await work.load(bundle.file, { AWS_ACCESS_KEY_ID: 'AKIDFROMENV', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' })
  t.match(withKeys.output, '["AKIDFROMENV","AKIDFROMENV"]', 'both clients take the keys Lambda sets')
  const withoutKeys = await work.load(bundle.file, { AWS_PROFILE: 'default', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' })
  t.match(withoutKeys.output, /AWS credentials are read from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY only/, 'a profile is not looked up; the error names the variables')
})

t.test('the bundle checks fail on a package loaded at import time and on a second require banner', async (t) => {
  const work = scratch(t, 'lambda-broken-')
  const { dir } = work
  const importsNative = join(dir, 'imports-native.ts')
  writeFileSync(importsNative, "import Database from 'better-sqlite3'\nexport const handler = async () => typeof Database\n")
  const native = await work.bundle(importsNative, { format: 'esm', esbuild: { external: ['better-sqlite3'] } }, join(dir, 'native'))
  t.same(native.staticExternalImports, ['better-sqlite3'])
  t.match((await work.load(native.file, {})).output, /Cannot find package 'better-sqlite3'/)

  const plain = join(dir, 'plain.ts')
  writeFileSync(plain, "export const handler = async () => 'ok'\n")
  const fine = await work.bundle(plain, { format: 'esm' }, join(dir, 'fine'))
  t.ok((await work.load(fine.file, {})).ok, 'a plain handler loads')
  const banner = "import { createRequire as topLevelCreateRequire } from 'module'; const require = topLevelCreateRequire(import.meta.url);"
  const doubled = await work.bundle(plain, { format: 'esm', banner }, join(dir, 'doubled'))
  t.match((await work.load(doubled.file, {})).output, /SyntaxError: Identifier '(require|topLevelCreateRequire)' has already been declared/)
})
