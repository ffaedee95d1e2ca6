/**
 * Each function's real bundle, built with the options sst.config.ts gives SST, loaded as Lambda's
 * init phase loads it: alone in a directory, with the function's environment and SST links only.
 * This catches what the resource checks cannot: a package the bundle imports at load time but does
 * not contain, a banner that breaks the module, a setting the code requires but is not linked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { HANDLERS, lambda, type FunctionRole } from './deployment.js'
import { bundleLambda, entryOf, loadLambda } from './lambda-bundle.js'
import { deployWithMocks, TEST_STAGES } from './mock-deploy.js'

const deployment = await deployWithMocks('prod', { stages: TEST_STAGES })

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

function scratch (t: Test, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

for (const role of Object.keys(HANDLERS) as FunctionRole[]) {
  t.test(`${role} (${HANDLERS[role]})`, async (t) => {
    const build = deployment.builds.find((candidate) => candidate.handler === HANDLERS[role])
    if (build === undefined) return t.fail(`no function has the handler ${HANDLERS[role]}`)
    const dir = scratch(t, `lambda-${role}-`)
    const bundle = await bundleLambda(entryOf(build.handler), build.properties, dir)

    t.same(bundle.staticExternalImports.filter((name) => !bundle.installed.includes(name)), [], 'every package imported at load time ships with the bundle')
    if (role === 'worker') t.same(['mssql', 'tedious'].filter((name) => !bundle.packages.has(name)), [], 'the SQL Server driver is bundled')
    if (role === 'worker') t.notOk(bundle.packages.has('@aws-sdk/client-sqs'), 'the Worker carries no queue sender (it never enqueues)')
    if (role === 'api') t.same(['telegraf', 'mssql', 'tedious'].filter((name) => bundle.packages.has(name)), [], 'the webhook does not carry the worker\'s libraries')

    const loaded = await loadLambda(bundle.file, lambdaEnvironment(role, dir))
    t.ok(loaded.ok, 'initialises with only its own links and environment, and exports handler', { output: loaded.output.slice(-3000) })
  })
}

t.test('the bundle checks fail on a package loaded at import time and on a second require banner', async (t) => {
  const dir = scratch(t, 'lambda-broken-')
  const importsNative = join(dir, 'imports-native.ts')
  writeFileSync(importsNative, "import Database from 'better-sqlite3'\nexport const handler = async () => typeof Database\n")
  const native = await bundleLambda(importsNative, { format: 'esm', esbuild: { external: ['better-sqlite3'] } }, join(dir, 'native'))
  t.same(native.staticExternalImports, ['better-sqlite3'])
  t.match((await loadLambda(native.file, {})).output, /Cannot find package 'better-sqlite3'/)

  const plain = join(dir, 'plain.ts')
  writeFileSync(plain, "export const handler = async () => 'ok'\n")
  const fine = await bundleLambda(plain, { format: 'esm' }, join(dir, 'fine'))
  t.ok((await loadLambda(fine.file, {})).ok, 'a plain handler loads')
  const banner = "import { createRequire as topLevelCreateRequire } from 'module'; const require = topLevelCreateRequire(import.meta.url);"
  const doubled = await bundleLambda(plain, { format: 'esm', banner }, join(dir, 'doubled'))
  t.match((await loadLambda(doubled.file, {})).output, /SyntaxError: Identifier '(require|topLevelCreateRequire)' has already been declared/)
})
