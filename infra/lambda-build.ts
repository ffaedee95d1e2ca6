import type { BuildOptions, Plugin } from 'esbuild'
import plugins from './lambda-plugins.mjs'

/**
 * How every Lambda bundle is built: the `nodejs` block each function gives SST (infra/functions.ts),
 * and the same settings turned into the esbuild options SST's builder derives from them, for the
 * bench (bench/bundle.ts) and the bundle tests (test/infra/lambda-bundle.ts). One module, so the
 * bundle that is measured and tested is the one that is deployed.
 *
 * SST 4.17.1 reads only target, sourcemap, keepNames, define, external, nodePaths, mainFields and
 * conditions from `nodejs.esbuild` (`alias`, for one, is silently ignored), so package replacements
 * are an esbuild plugin: `nodejs.plugins` names a file that SST's builder imports in Node, passing
 * each plugin's onResolve, onLoad and onEnd on to esbuild. No SST globals here: tests import it.
 */
export const LAMBDA_NODEJS: { format: 'esm', esbuild: { keepNames: boolean, external: string[] }, plugins: string } = {
  // SST's ESM build (the default, stated here because the code relies on it) already opens every
  // bundle with `import { createRequire as topLevelCreateRequire } from 'module'; const require =
  // topLevelCreateRequire(import.meta.url);` so bundled CommonJS (mssql, tedious) can `require`
  // Node built-ins. `nodejs.banner` is appended after that line: repeating it would declare
  // `require` twice and every cold start would fail with a SyntaxError, so there is no banner here.
  format: 'esm',
  esbuild: {
    // SST keeps names by default: a `__name(fn, "fn")` call per function and class, evaluated at
    // every cold start. Nothing here reads `.name` of a function or class (errors keep their names:
    // `Error.name` is a property, not the constructor's name).
    keepNames: false,
    // Local runtime only (native, never loaded in Lambda). mssql and tedious are pure JS and are
    // bundled: they are deliberately absent from `external` and `install`.
    external: ['better-sqlite3']
  },
  // Relative to sst.config.ts. The stand-ins and what each gives up: infra/lambda-plugins.mjs.
  plugins: 'infra/lambda-plugins.mjs'
}

/** The plugins `LAMBDA_NODEJS.plugins` names, loaded. */
export const LAMBDA_PLUGINS: Plugin[] = plugins

/** The part of a function's `nodejs` block SST's builder turns into esbuild options. */
export interface NodejsBuildSettings {
  format?: 'esm' | 'cjs'
  banner?: string
  minify?: boolean
  install?: readonly string[] | Record<string, string>
  esbuild?: { keepNames?: boolean, external?: readonly string[], target?: string, sourcemap?: boolean, nodePaths?: string[] }
}

/** Always external in SST's Node builds (native packages Lambda layers provide). */
const SST_ALWAYS_EXTERNAL = ['sharp', 'pg-native']
const SST_ESM_BANNER = [
  "import { createRequire as topLevelCreateRequire } from 'module';",
  'const require = topLevelCreateRequire(import.meta.url);',
  'import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"',
  'const __filename = topLevelFileUrlToPath(import.meta.url)',
  'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))'
]

/**
 * The esbuild options SST's Node builder (pkg/runtime/node/build.go in sst/sst) uses for a deployed
 * function with these settings: bundle, platform node, `esnext` unless the function names a target,
 * `mainFields: module, main` for ESM, minified unless `minify: false`, names kept unless
 * `keepNames: false`, no source map, `sharp` and `pg-native` external plus the function's `install`
 * and `external`, its `nodePaths`, SST's createRequire banner before the function's own, and the plugins.
 */
export function sstEsbuildOptions (nodejs: NodejsBuildSettings, sstPlugins: Plugin[]): BuildOptions {
  const installed = Array.isArray(nodejs.install) ? nodejs.install : Object.keys(nodejs.install ?? {})
  const esm = nodejs.format !== 'cjs'
  return {
    bundle: true,
    platform: 'node',
    format: esm ? 'esm' : 'cjs',
    target: nodejs.esbuild?.target ?? 'esnext',
    ...(esm ? { mainFields: ['module', 'main'] } : {}),
    minify: nodejs.minify ?? true,
    keepNames: nodejs.esbuild?.keepNames ?? true,
    sourcemap: nodejs.esbuild?.sourcemap ?? false,
    external: [...SST_ALWAYS_EXTERNAL, ...installed, ...(nodejs.esbuild?.external ?? [])],
    ...(nodejs.esbuild?.nodePaths === undefined ? {} : { nodePaths: nodejs.esbuild.nodePaths }),
    banner: { js: [...(esm ? SST_ESM_BANNER : []), nodejs.banner ?? ''].join('\n') },
    plugins: sstPlugins
  }
}

/** The options every function here is built with. */
export const LAMBDA_ESBUILD_OPTIONS: BuildOptions = sstEsbuildOptions(LAMBDA_NODEJS, LAMBDA_PLUGINS)
