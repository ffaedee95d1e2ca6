import { execFileSync } from 'node:child_process'
import { builtinModules } from 'node:module'
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { build, type BuildOptions, type Metafile } from 'esbuild'
import { LAMBDA_ESBUILD_OPTIONS, sstEsbuildOptions } from '../infra/lambda-build.js'

export const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '')
export const OUT_DIR = join(ROOT, 'bench/out')

/**
 * What SST's builder passes to esbuild for every function here: the settings of infra/lambda-build.ts
 * (the stand-ins plugin, names not kept, `esnext`, minified, SST's createRequire banner), so the
 * bench measures the deployed bundles. The bare baseline and the what-if are built the same way.
 */
export const SST_BUILD: BuildOptions = {
  ...LAMBDA_ESBUILD_OPTIONS,
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

/**
 * What-if builds, cold-started with the same webhook event as the Api. The floor: what any
 * Fastify-based Api costs before the app adds its own work, built as the Api. The bare baseline as
 * SST builds it without this project's settings: the reference the figures were taken against.
 */
export const VARIANTS = {
  fastifyFloor: {
    label: 'what-if: bare Fastify, 1 route',
    title: 'Fastify + @fastify/aws-lambda, one route: parse + SendMessage, built as the Api',
    entry: 'bench/variants/fastify-floor.ts',
    build: SST_BUILD
  },
  bareSstDefaults: {
    label: 'what-if: bare, SST defaults',
    title: 'the bare baseline built with SST\'s defaults (names kept, no stand-ins: the full credential chain), the baseline the issue\'s study used',
    entry: ENTRIES.bare,
    build: { ...SST_BUILD, ...sstEsbuildOptions({ format: 'esm', esbuild: { external: ['better-sqlite3'] } }, []) }
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

async function bundle (name: string, entry: string, options: BuildOptions = SST_BUILD): Promise<BundleInfo> {
  const file = join(OUT_DIR, `${name}.mjs`)
  const result = await build({ ...options, entryPoints: [join(ROOT, entry)], outfile: file })
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
  for (const [name, { label, title, entry, build: options }] of Object.entries(VARIANTS) as Array<[VariantName, typeof VARIANTS[VariantName]]>) {
    variants[name] = { ...await bundle(name, entry, options), label, title }
  }
  return { entries, variants, runners: { cold: await buildRunner('cold-child'), warm: await buildRunner('warm-child') } }
}

/** A child-process runner (bench/<name>.ts) as plain Node runs it, into bench/out/. */
export async function buildRunner (name: 'cold-child' | 'warm-child'): Promise<string> {
  mkdirSync(OUT_DIR, { recursive: true })
  const file = join(OUT_DIR, `${name}.mjs`)
  await build({ entryPoints: [join(ROOT, `bench/${name}.ts`)], outfile: file, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error' })
  return file
}

export function relativeToRoot (file: string): string {
  return relative(ROOT, file)
}
