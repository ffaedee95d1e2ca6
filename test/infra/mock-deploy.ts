/**
 * Runs sst.config.ts the way `sst deploy` does, with Pulumi mocks in place of the engine and AWS.
 *
 * The SST CLI (pkg/project/run.go, pkg/js/js.go in sst/sst) evaluates `app()` first, then bundles an
 * eval program with esbuild: the config plus `run()` from .sst/platform/src/auto/run.ts, the globals
 * shim injected, `$app`/`$cli`/`$dev` defined as constants and every project file prefixed with the
 * provider imports (`aws`, `sst`). This module rebuilds that bundle with the platform the project
 * installed, swaps the engine for mocks (mock-program.ts) and returns what the program registered.
 */
import { build, type Plugin } from 'esbuild'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { EXISTING_NETWORK, type MockDeploymentResult } from './mock-program.js'
import { stageSettings, type StageSettings } from '../../infra/stages.js'

export type { RecordedBuild, RecordedResource, MockDeploymentResult } from './mock-program.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WORK_DIR = join(ROOT, '.sst')
export const PLATFORM_DIR = join(WORK_DIR, 'platform')
const CONFIG = join(ROOT, 'sst.config.ts')
const PROGRAM = fileURLToPath(new URL('./mock-program.ts', import.meta.url))
const RUN_TIMEOUT_MS = 90_000
const STAGES_MODULE = join(ROOT, 'infra', 'stages.ts')

/**
 * The stage table the mocked deployments use in place of the checked-in one, whose accounts are
 * the team's to fill in: both shared stages with an account, prod with an alarm address.
 */
export const TEST_STAGES: Record<string, StageSettings> = {
  dev: { accountId: '111111111111', profile: 'telegram-bot-dev' },
  prod: { accountId: '123456789012', profile: 'telegram-bot-prod', alarmEmail: 'oncall@example.com' }
}

const devAccount = { accountId: '111111111111', profile: 'telegram-bot-dev' }

/**
 * Stages placed in a VPC, for the network checks: the VPC of EXISTING_NETWORK with the endpoint asked
 * for and the database by security group (`corp`), the same without the endpoint and the database by
 * address range (`shared`), and a new VPC with each kind of NAT (`natgw`, `natec2`).
 */
export const VPC_TEST_STAGES = {
  corp: {
    ...devAccount,
    network: {
      mode: 'vpc',
      vpc: { id: EXISTING_NETWORK.vpcId, privateSubnetIds: [...EXISTING_NETWORK.privateSubnetIds], dynamoDbEndpointRouteTableIds: [...EXISTING_NETWORK.routeTableIds] },
      database: { securityGroupId: EXISTING_NETWORK.databaseSecurityGroupId }
    }
  },
  shared: {
    ...devAccount,
    network: { mode: 'vpc', vpc: { id: EXISTING_NETWORK.vpcId, privateSubnetIds: [...EXISTING_NETWORK.privateSubnetIds] }, database: { cidrBlocks: ['10.20.8.0/24'] } }
  },
  natgw: { ...devAccount, network: { mode: 'vpc', vpc: { nat: 'managed' }, database: { cidrBlocks: ['192.0.2.10/32'] } } },
  natec2: { ...devAccount, network: { mode: 'vpc', vpc: { nat: 'ec2' }, database: { cidrBlocks: ['192.0.2.10/32', '192.0.2.11/32'] } } }
} as const satisfies Record<string, StageSettings>
export type VpcTestStage = keyof typeof VPC_TEST_STAGES

export interface DeployOptions {
  /** Replaces infra/stages.ts's STAGES (absent: the checked-in table, as the CLI would read it). */
  stages?: Record<string, StageSettings>
  /** `sst dev` rather than `sst deploy` ($dev, $cli.dev). */
  dev?: boolean
  /** The deploying shell's extra environment. */
  env?: Record<string, string>
}

/** What `app()` returns, normalised the way the CLI does before it becomes `$app`. */
export interface AppSettings {
  name: string
  stage: string
  home: string
  version?: string
  removal: 'remove' | 'retain' | 'retain-all'
  protect: boolean
  providers: Record<string, Record<string, unknown>>
}

export interface MockDeployment extends MockDeploymentResult {
  app: AppSettings
  /** The deploying shell's extra environment. */
  env: Record<string, string>
  /** This stage's settings from the stage table the deployment used. */
  stageSettings: StageSettings
  dev: boolean
  installed: { sst: string, awsProvider: string }
}

/** Fails with the fix when the platform the CLI installs is missing: these checks never skip. */
export function assertPlatformInstalled (): void {
  if (!existsSync(join(PLATFORM_DIR, 'node_modules', '@pulumi', 'pulumi', 'package.json'))) {
    throw new Error(`${PLATFORM_DIR} is missing or incomplete: run \`npm run sst:install\` (scripts/sst-install.sh) first`)
  }
}

export function installedVersions (): { sst: string, awsProvider: string } {
  const packageVersion = (path: string): string => (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
  return {
    sst: readFileSync(join(PLATFORM_DIR, 'version'), 'utf8').trim(),
    awsProvider: packageVersion(join(PLATFORM_DIR, 'node_modules', '@pulumi', 'aws', 'package.json'))
  }
}

/** Swaps the checked-in STAGES table for the given one, where the config and infra/ import it. */
function overrideStages (stages: Record<string, StageSettings> | undefined): Plugin[] {
  if (stages === undefined) return []
  return [{
    name: 'override-stages',
    setup (pluginBuild) {
      pluginBuild.onLoad({ filter: /[\\/]infra[\\/]stages\.ts$/ }, (args) => {
        if (args.path !== STAGES_MODULE) return undefined
        const contents = readFileSync(args.path, 'utf8')
        return { contents: `${contents}\nfor (const name of Object.keys(STAGES)) delete (STAGES as Record<string, unknown>)[name]\nObject.assign(STAGES, ${JSON.stringify(stages)})\n`, loader: 'ts' }
      })
    }
  }]
}

/** Evaluates `app()` for one stage, as the CLI does before anything else (with `$config` as identity). */
export async function evaluateApp (stage: string, stages?: Record<string, StageSettings>): Promise<AppSettings> {
  const outDir = mkdtempSync(join(tmpdir(), 'sst-app-'))
  const outfile = join(outDir, 'app.mjs')
  try {
    await build({
      entryPoints: [CONFIG],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
      banner: { js: 'function $config (input) { return input }' },
      plugins: overrideStages(stages)
    })
    const config = (await import(pathToFileURL(outfile).href) as { default: { app: (input: { stage: string }) => Promise<Omit<AppSettings, 'stage'>> } }).default
    const app = await config.app({ stage })
    const providers = Object.fromEntries(Object.entries(app.providers ?? {}).map(([name, args]) => [name, typeof args === 'object' ? args : {}]))
    return { ...app, stage, removal: app.removal ?? 'retain', protect: app.protect === true, providers: { [app.home]: {}, ...providers } }
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

/** Deploys one stage under mocks in a child process and returns everything it registered. */
export async function deployWithMocks (stage: string, { stages, dev = false, env = {} }: DeployOptions = {}): Promise<MockDeployment> {
  assertPlatformInstalled()
  const app = await evaluateApp(stage, stages)
  const scratch = mkdtempSync(join(tmpdir(), `sst-mock-${stage}-`))
  // Inside .sst/platform, like the CLI's own eval bundle, so the external @pulumi packages resolve there.
  const bundle = join(PLATFORM_DIR, `sst.config.mock-${stage}-${process.pid}.mjs`)
  const resultFile = join(scratch, 'result.json')
  try {
    await buildEvalProgram(app, bundle, scratch, { stages, dev })
    await runChild(bundle, { ...env, SST_MOCK_RESULT: resultFile })
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as MockDeploymentResult
    return { ...result, app, env, stageSettings: stageSettings(stage, stages), dev, installed: installedVersions() }
  } finally {
    rmSync(bundle, { force: true })
    rmSync(scratch, { recursive: true, force: true })
  }
}

async function buildEvalProgram (app: AppSettings, outfile: string, scratch: string, { stages, dev }: { stages?: Record<string, StageSettings>, dev: boolean }): Promise<void> {
  const cli = {
    command: dev ? 'dev' : 'deploy',
    dev,
    paths: { home: join(scratch, 'home'), root: ROOT, work: join(scratch, 'work'), platform: PLATFORM_DIR },
    state: { version: {} }
  }
  const entry = [
    "import * as pulumi from '@pulumi/pulumi'",
    `import { run } from ${JSON.stringify(join(PLATFORM_DIR, 'src', 'auto', 'run.ts'))}`,
    `import config from ${JSON.stringify(CONFIG)}`,
    `import { deployUnderMocks } from ${JSON.stringify(PROGRAM)}`,
    'await deployUnderMocks({',
    '  runtime: pulumi.runtime, run, program: config.run,',
    `  project: ${JSON.stringify(app.name)}, stage: ${JSON.stringify(app.stage)}, resultFile: process.env.SST_MOCK_RESULT`,
    '})'
  ].join('\n')

  const result = await build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'eval.ts', loader: 'ts' },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    mainFields: ['module', 'main'],
    nodePaths: [join(PLATFORM_DIR, 'node_modules')],
    // The CLI's list: these stay in .sst/platform/node_modules.
    external: ['@pulumi/*', 'undici', '@pulumiverse/*', '@sst-provider/*', '@aws-sdk/*', 'esbuild', 'archiver', 'glob', 'vite'],
    inject: [join(PLATFORM_DIR, 'src', 'shim', 'run.js')],
    define: { $app: JSON.stringify(app), $cli: JSON.stringify(cli), $dev: String(dev) },
    banner: {
      js: [
        "import { createRequire as topLevelCreateRequire } from 'module'",
        'const require = topLevelCreateRequire(import.meta.url)',
        "import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from 'url'",
        'const __filename = topLevelFileUrlToPath(import.meta.url)',
        "const __dirname = topLevelFileUrlToPath(new topLevelURL('.', import.meta.url))"
      ].join('\n')
    },
    plugins: [...overrideStages(stages), injectProviderGlobals()],
    logLevel: 'silent'
  })
  if (result.errors.length > 0) throw new Error(result.errors.map((error) => error.text).join('\n'))
}

/** The CLI prefixes every file outside .sst with `import * as <alias> from '<provider>'` and `sst`. */
function injectProviderGlobals (): Plugin {
  const lock = JSON.parse(readFileSync(providerLockPath(), 'utf8')) as Array<{ alias: string, package: string }>
  const globals = [
    ...lock.map((provider) => `import * as ${provider.alias} from ${JSON.stringify(provider.package)};`),
    `import * as sst from ${JSON.stringify(join(PLATFORM_DIR, 'src', 'components'))};`
  ].join('\n')
  const loaders = { js: 'js', jsx: 'jsx', ts: 'ts', tsx: 'tsx' } as const
  return {
    name: 'inject-provider-globals',
    setup (pluginBuild) {
      pluginBuild.onLoad({ filter: /\.(js|ts|jsx|tsx)$/ }, (args) => {
        const contents = readFileSync(args.path, 'utf8')
        const extension = args.path.slice(args.path.lastIndexOf('.') + 1) as keyof typeof loaders
        // The harness itself is not project config: it gets no provider imports.
        const isProjectConfig = !args.path.includes('.sst') && args.path !== PROGRAM
        return { contents: isProjectConfig ? `${globals}\n${contents}` : contents, loader: loaders[extension] }
      })
    }
  }
}

function providerLockPath (): string {
  const candidates = [join(WORK_DIR, 'provider-lock.json'), join(PLATFORM_DIR, 'provider-lock.json')]
  const found = candidates.find((path) => existsSync(path))
  if (found === undefined) throw new Error(`no provider-lock.json under ${WORK_DIR}: run \`npm run sst:install\``)
  return found
}

/** Node, without the test runner's loaders or coverage, no network needs, dummy AWS credentials. */
async function runChild (bundle: string, env: Record<string, string>): Promise<void> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) =>
    !/^(NODE_OPTIONS|NODE_V8_COVERAGE|TAP|AWS_|SST_|PULUMI_|ALARM_EMAIL$|LOG_LEVEL$|TELEGRAM_)/.test(name)))
  const child = spawn(process.execPath, [bundle], {
    cwd: ROOT,
    env: {
      ...inherited,
      AWS_ACCESS_KEY_ID: 'mock',
      AWS_SECRET_ACCESS_KEY: 'mock',
      AWS_REGION: 'us-east-1',
      PULUMI_CONFIG: JSON.stringify({ 'aws:region': 'us-east-1' }),
      SST_SECRET_TELEGRAM_BOT_TOKEN: '123456:mock-token-mock-token-mock-token',
      SST_SECRET_TELEGRAM_WEBHOOK_SECRET: 'mock_webhook-secret',
      SST_SECRET_DATABASE_CONNECTION_STRING: 'Server=mock;Database=mock',
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: RUN_TIMEOUT_MS
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  if (code !== 0) throw new Error(`the mocked deployment exited with ${String(code)}:\n${output}`)
}
