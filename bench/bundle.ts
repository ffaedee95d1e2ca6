import { execFileSync } from 'node:child_process'
import { builtinModules } from 'node:module'
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { build, type BuildOptions, type Metafile } from 'esbuild'

export const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '')
export const OUT_DIR = join(ROOT, 'bench/out')

/**
 * What SST (v3/v4, `pkg/runtime/node/build.go`) passes to esbuild for a deployed `nodejs` function with
 * `format: 'esm'`, minify on and source maps off: bundle, platform node, ESM, `mainFields: module, main`,
 * `keepNames`, its createRequire/__dirname banner, and the function's `nodejs.esbuild.external`
 * (here `better-sqlite3`, see infra/functions.ts). The target is SST's `esnext` narrowed to node22,
 * the Lambda runtime: the same output for this code.
 */
export const SST_BUILD: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  keepNames: true,
  sourcemap: false,
  external: ['better-sqlite3'],
  banner: {
    js: [
      'import { createRequire as topLevelCreateRequire } from \'module\';',
      'const require = topLevelCreateRequire(import.meta.url);',
      'import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"',
      'const __filename = topLevelFileUrlToPath(import.meta.url)',
      'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))'
    ].join('\n')
  },
  metafile: true,
  logLevel: 'error',
  absWorkingDir: ROOT
}

export interface PackageShare { name: string, bytes: number }

export interface BundleInfo {
  name: string
  entry: string
  /** Absolute path of the .mjs file. */
  file: string
  minifiedBytes: number
  zippedBytes: number
  modules: number
  /** Bytes each package (or `src`, `bench`) contributes to the minified output, largest first. */
  packages: PackageShare[]
  /**
   * Packages the bundle imports statically but does not contain. Lambda's package holds nothing but
   * the bundle, so each one fails the function's init with ERR_MODULE_NOT_FOUND.
   */
  staticExternalImports: string[]
}

/** The Lambda entries (and the baseline) measured as deployed. */
export const ENTRIES = {
  bare: 'bench/bare-handler.ts',
  api: 'src/lambda.ts',
  worker: 'src/worker/lambda.ts',
  deadLetter: 'src/worker/dead-letter-lambda.ts'
} as const
export type EntryName = keyof typeof ENTRIES

const OWN_TYPEBOX_COMPILER = { '@fastify/type-provider-typebox': './bench/variants/typebox-validator-compiler.ts' }
// Fastify gets its compilers from the app (schemaController.compilersFactory), so its default Ajv
// validator and fast-json-stringify serializer are never loaded, and the build aliases them away.
const NO_FASTIFY_COMPILERS = {
  '@fastify/ajv-compiler': './bench/variants/no-ajv-compiler.cjs',
  '@fastify/fast-json-stringify-compiler': './bench/variants/json-serializer-compiler.cjs'
}
// The SQS client resolves credentials from the environment only (Lambda always sets them there).
const ENV_CREDENTIALS = { '@aws-sdk/credential-provider-node': './bench/variants/env-credentials.ts' }

/**
 * What-if builds: each stands for a change in src/ or in the SST build, made here by swapping packages
 * for the files in bench/variants/ (esbuild `alias`) or by another entry. All of them run: the
 * cold-start benchmark invokes them with the same webhook event as the Api entry.
 */
export const VARIANTS = {
  apiOwnCompiler: {
    label: 'what-if: Api, own TypeBox compiler',
    title: 'Api, own TypeBox validator compiler instead of @fastify/type-provider-typebox',
    entry: ENTRIES.api,
    alias: OWN_TYPEBOX_COMPILER,
    coldStart: false
  },
  apiNoAjv: {
    label: 'what-if: Api, + no Fastify Ajv/fjs',
    title: 'Api, … and without Fastify\'s default Ajv / fast-json-stringify compilers',
    entry: ENTRIES.api,
    alias: { ...OWN_TYPEBOX_COMPILER, ...NO_FASTIFY_COMPILERS },
    coldStart: true
  },
  apiSlim: {
    label: 'what-if: Api, + env-only credentials',
    title: 'Api, … and environment-only SQS credentials',
    entry: ENTRIES.api,
    alias: { ...OWN_TYPEBOX_COMPILER, ...NO_FASTIFY_COMPILERS, ...ENV_CREDENTIALS },
    coldStart: true
  },
  fastifyFloor: {
    label: 'what-if: bare Fastify, 1 route',
    title: 'Fastify + @fastify/aws-lambda, one route: parse + SendMessage',
    entry: 'bench/variants/fastify-floor.ts',
    alias: {},
    coldStart: true
  },
  fastifyFloorSlim: {
    label: 'what-if: bare Fastify, slim',
    title: 'the same, without Ajv / fast-json-stringify, environment-only credentials',
    entry: 'bench/variants/fastify-floor.ts',
    alias: { ...NO_FASTIFY_COMPILERS, ...ENV_CREDENTIALS },
    coldStart: true
  },
  apiWithoutFastify: {
    label: 'what-if: Api without Fastify',
    title: 'the Api webhook without Fastify (same config, secret, schema, queue, log line)',
    entry: 'bench/variants/api-without-fastify.ts',
    alias: {},
    coldStart: true
  },
  apiWithoutFastifySlim: {
    label: 'what-if: Api without Fastify, slim',
    title: 'the same, environment-only credentials',
    entry: 'bench/variants/api-without-fastify.ts',
    alias: ENV_CREDENTIALS,
    coldStart: true
  }
} as const
export type VariantName = keyof typeof VARIANTS

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)])

function packageOf (path: string): string {
  const parts = path.split('node_modules/')
  if (parts.length > 1) {
    const rest = (parts[parts.length - 1] as string).split('/')
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : rest[0] ?? path
  }
  return path.split('/')[0] ?? path
}

/** Zip size: the `zip` CLI at level 9 when installed (what `sst deploy` uploads is a zip of the bundle), else raw deflate at level 9 plus zip headers. */
export const ZIP_METHOD = (() => {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' })
    return 'zip -9 (Info-ZIP CLI)'
  } catch {
    return 'node:zlib deflateRaw level 9 + zip headers'
  }
})()

function zippedSize (file: string): number {
  if (ZIP_METHOD.startsWith('zip ')) {
    const archive = `${file}.zip`
    rmSync(archive, { force: true })
    execFileSync('zip', ['-9', '-q', '-X', '-j', archive, file])
    return statSync(archive).size
  }
  const name = file.split('/').pop() ?? 'index.mjs'
  // Local file header (30) + central directory entry (46) + end record (22), each with the name where it applies.
  return deflateRawSync(readFileSync(file), { level: 9 }).byteLength + 30 + 46 + 22 + 2 * Buffer.byteLength(name)
}

function describe (name: string, entry: string, file: string, metafile: Metafile): BundleInfo {
  const output = Object.values(metafile.outputs)[0]
  if (output === undefined) throw new Error(`no output for ${entry}`)
  const shares = new Map<string, number>()
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const key = packageOf(path)
    shares.set(key, (shares.get(key) ?? 0) + bytesInOutput)
  }
  const external = output.imports
    .filter((entry) => entry.external && entry.kind === 'import-statement' && !BUILTINS.has(entry.path))
    .map((entry) => entry.path)
  return {
    name,
    entry,
    file,
    minifiedBytes: statSync(file).size,
    zippedBytes: zippedSize(file),
    modules: Object.keys(output.inputs).length,
    packages: [...shares].map(([pkg, bytes]) => ({ name: pkg, bytes })).sort((a, b) => b.bytes - a.bytes),
    staticExternalImports: [...new Set(external)]
  }
}

async function bundle (name: string, entry: string, alias: Record<string, string> = {}): Promise<BundleInfo> {
  const file = join(OUT_DIR, `${name}.mjs`)
  const result = await build({ ...SST_BUILD, entryPoints: [join(ROOT, entry)], outfile: file, alias })
  return describe(name, entry, file, result.metafile as Metafile)
}

export interface Bundles {
  entries: Record<EntryName, BundleInfo>
  variants: Record<VariantName, BundleInfo & { label: string, title: string }>
  /** The child-process runners (not measured; plain Node, no loader). */
  runners: { cold: string, warm: string }
}

/** Builds everything into bench/out/ (gitignored). The bundles live inside the repository so that the Worker's external `better-sqlite3` resolves from node_modules. */
export async function buildAll (): Promise<Bundles> {
  rmSync(OUT_DIR, { recursive: true, force: true })
  mkdirSync(OUT_DIR, { recursive: true })
  const entries = {} as Record<EntryName, BundleInfo>
  for (const [name, entry] of Object.entries(ENTRIES) as Array<[EntryName, string]>) entries[name] = await bundle(name, entry)
  const variants = {} as Bundles['variants']
  for (const [name, { label, title, entry, alias }] of Object.entries(VARIANTS) as Array<[VariantName, typeof VARIANTS[VariantName]]>) {
    variants[name] = { ...await bundle(name, entry, alias), label, title }
  }
  const runner = async (name: string): Promise<string> => {
    const file = join(OUT_DIR, `${name}.mjs`)
    await build({ entryPoints: [join(ROOT, `bench/${name}.ts`)], outfile: file, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error' })
    return file
  }
  return { entries, variants, runners: { cold: await runner('cold-child'), warm: await runner('warm-child') } }
}

export function relativeToRoot (file: string): string {
  return relative(ROOT, file)
}
