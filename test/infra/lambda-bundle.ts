/**
 * Builds a function's bundle the way SST's Node runtime does at deploy time, from the `nodejs`
 * properties the mocked deployment recorded for it: the esbuild options SST derives from them
 * (infra/lambda-build.ts, shared with the bench) and the plugins file they name, imported as SST's
 * builder imports it. Then loads it the way Lambda would: from a directory with nothing else in it,
 * on the Node the test asks for (this one, or Node 24 as on Lambda).
 */
import { build, type Metafile, type Plugin } from 'esbuild'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { sstEsbuildOptions, type NodejsBuildSettings } from '../../infra/lambda-build.js'
import { ROOT, type RecordedBuild } from './mock-deploy.js'

const LOAD_TIMEOUT_MS = 20_000

type NodeProperties = NodejsBuildSettings & { plugins?: string }

export interface LambdaBundle {
  file: string
  /** Packages in the bundle (from node_modules). */
  packages: Set<string>
  /** Bare imports left for Node to resolve when the module is loaded, before any handler code runs. */
  staticExternalImports: string[]
  /** Packages SST installs next to the bundle (`nodejs.install`). */
  installed: string[]
}

/** `src/worker/lambda.handler` → the source file SST would bundle. */
export function entryOf (handler: string): string {
  const base = join(ROOT, handler.slice(0, handler.lastIndexOf('.')))
  const found = ['.ts', '.mts', '.js', '.mjs'].map((extension) => base + extension).find((file) => existsSync(file))
  if (found === undefined) throw new Error(`no source file for the handler ${handler}`)
  return found
}

/** The plugins a `nodejs.plugins` file (relative to sst.config.ts) exports, as SST's builder loads them. */
async function pluginsOf (file: string | undefined): Promise<Plugin[]> {
  if (file === undefined) return []
  return (await import(pathToFileURL(join(ROOT, file)).href) as { default: Plugin[] }).default
}

/**
 * `signal`: the case that asked ended (it ran out of time) and removed its scratch folder; the build
 * that then fails to find its entry rejects with the signal's reason instead of esbuild's complaint.
 */
export async function bundleLambda (entry: string, properties: RecordedBuild['properties'], outDir: string, signal?: AbortSignal): Promise<LambdaBundle> {
  signal?.throwIfAborted()
  const nodejs = properties as NodeProperties
  const options = sstEsbuildOptions(nodejs, await pluginsOf(nodejs.plugins))
  const file = join(outDir, 'index.mjs')
  const result = await build({ ...options, entryPoints: [entry], outfile: file, metafile: true, logLevel: 'silent' })
    .catch((error: unknown) => { throw signal?.aborted === true ? signal.reason : error })
  signal?.throwIfAborted()
  const installed = Array.isArray(nodejs.install) ? [...nodejs.install] : Object.keys(nodejs.install ?? {})
  return { file, installed, packages: packagesOf(result.metafile), staticExternalImports: staticExternalImportsOf(result.metafile) }
}

function packagesOf (metafile: Metafile): Set<string> {
  return new Set(Object.keys(metafile.inputs).flatMap((input) => {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)
    return match?.[1] === undefined ? [] : [match[1]]
  }))
}

/** `import … from 'pkg'` of a non-built-in, kept external: Node must find it when the module loads. */
function staticExternalImportsOf (metafile: Metafile): string[] {
  const builtins = new Set(builtinModules)
  return Object.values(metafile.outputs).flatMap((output) => output.imports)
    .filter((entry) => entry.external === true && entry.kind === 'import-statement')
    .map((entry) => entry.path)
    .filter((path) => !path.startsWith('node:') && !builtins.has(path.split('/')[0] ?? path))
}

/**
 * Imports the bundle in a fresh Node process, with the function's environment and its SST links
 * (passed as `SST_RESOURCES_JSON`, which the SST SDK reads like the encrypted file Lambda gets).
 * Module initialisation is the Lambda init phase: it must finish and export `handler`. `node` is
 * the binary to run it on (this process's by default; Node 24 as on Lambda: scripts/lib/node-release.ts).
 */
export async function loadLambda (file: string, env: Record<string, string>, node: string = process.execPath, signal?: AbortSignal): Promise<{ ok: boolean, output: string }> {
  signal?.throwIfAborted()
  const probe = `const module = await import(${JSON.stringify(pathToFileURL(file).href)}); if (typeof module.handler !== 'function') throw new Error('no handler export')`
  const child = spawn(node, ['--input-type=module', '-e', probe], {
    cwd: join(file, '..'),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: LOAD_TIMEOUT_MS,
    // The case ended: the process is killed rather than left loading from a removed folder.
    signal
  })
  child.on('error', () => {})
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  signal?.throwIfAborted()
  return { ok: code === 0, output }
}
