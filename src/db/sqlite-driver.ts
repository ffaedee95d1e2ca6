import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { StartupError } from '../errors.js'

/** Node's native-module ABI (NODE_MODULE_VERSION) per release line: which Node a build was made for. */
const NODE_OF_ABI: Readonly<Record<string, string>> = { 108: 'Node 18', 115: 'Node 20', 120: 'Node 21', 127: 'Node 22', 131: 'Node 23', 137: 'Node 24', 141: 'Node 25' }

const REBUILD = 'npm rebuild better-sqlite3'

/**
 * better-sqlite3, with its native addon loaded: a build for another Node (`npm ci` on one Node, then
 * a version manager switched) or no build at all stops here as one line (a StartupError) that names
 * both Nodes and the command that fixes it, instead of Node's stack trace. Loaded on use: a bundler
 * would hoist a static import of this addon to the top of the Lambda bundle, where it is not installed.
 */
export function loadSqliteDriver (): typeof Database {
  const SqliteDatabase = createRequire(import.meta.url)('better-sqlite3') as typeof Database
  // The package loads its addon on the first open, not on require.
  try {
    new SqliteDatabase(':memory:').close()
  } catch (error) {
    throw sqliteDriverFailure(error)
  }
  return SqliteDatabase
}

/** The addon's load failure as that one line; any other error unchanged. */
export function sqliteDriverFailure (error: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  const message = error instanceof Error ? error.message : ''
  const abi = /NODE_MODULE_VERSION (\d+)[\s\S]*NODE_MODULE_VERSION (\d+)/.exec(message)
  if (abi !== null) {
    const [, built = '', running = ''] = abi
    return new StartupError(`better-sqlite3 (the embedded database's driver) was built for ${NODE_OF_ABI[built] ?? 'another Node'} (NODE_MODULE_VERSION ${built}), ` +
      `not for this Node ${process.versions.node} (NODE_MODULE_VERSION ${running}): run \`${REBUILD}\` with this Node${otherHeaders(env)}`)
  }
  if (message.includes('Could not locate the bindings file')) {
    return new StartupError(`better-sqlite3 (the embedded database's driver) has no native build (its install script did not run): run \`${REBUILD}\` with this Node${otherHeaders(env)}`)
  }
  return error
}

/** When npm's `nodedir` (npm passes it to scripts) holds another Node's headers, `npm rebuild` builds for that Node again. */
function otherHeaders (env: NodeJS.ProcessEnv): string {
  const nodedir = env.npm_config_nodedir
  if (nodedir === undefined || nodedir === '') return ''
  const major = headersMajor(nodedir)
  const thisMajor = process.versions.node.split('.')[0]
  if (major === thisMajor) return ''
  return `, and npm_config_nodedir set to Node ${thisMajor}'s install directory (npm's nodedir ${nodedir} holds ${major === undefined ? 'no Node headers' : `Node ${major}'s headers`})`
}

function headersMajor (nodedir: string): string | undefined {
  try {
    return /#define NODE_MAJOR_VERSION (\d+)/.exec(readFileSync(join(nodedir, 'include', 'node', 'node_version.h'), 'utf8'))?.[1]
  } catch {
    return undefined
  }
}
