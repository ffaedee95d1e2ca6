import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The Node.js release line Lambda runs the functions on (infra/settings.ts RUNTIME is `nodejs24.x`). */
export const LAMBDA_NODE_MAJOR = 24

/**
 * The `node` binary of a release line that scripts/node-install.sh put into .sst/node/<major>
 * (`npm test` and `npm run bench` install it when missing); this process's own binary when it is
 * already that line.
 */
export function nodeBinary (major: number = LAMBDA_NODE_MAJOR): string {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath
  const binary = fileURLToPath(new URL(`../../.sst/node/${major}/bin/node`, import.meta.url))
  if (!existsSync(binary)) throw new Error(`Node ${major} is not installed in .sst/node/${major}: run \`npm run node:install -- ${major}\` (scripts/node-install.sh)`)
  return binary
}
