// The esbuild plugins of every Lambda bundle, as a plain ES module because SST 4's builder runs this
// file in Node (`nodejs.plugins`, relative to sst.config.ts) and passes onResolve/onLoad/onEnd on to
// esbuild. infra/lambda-build.ts points SST here and hands the same plugins to the bench and the tests.
import { fileURLToPath } from 'node:url'

const standIn = (file) => fileURLToPath(new URL(`./lambda-stubs/${file}`, import.meta.url))

/**
 * Package → the small module that replaces it in a Lambda bundle. Each stand-in's header says what it
 * gives up. They apply to every function and every client that imports the package: a new AWS SDK
 * client (DynamoDB for the update ledger, say) gets the environment-only credentials as well.
 */
export const STAND_INS = {
  '@fastify/ajv-compiler': standIn('fastify-ajv-compiler.cjs'),
  '@fastify/fast-json-stringify-compiler': standIn('fastify-fast-json-stringify-compiler.cjs'),
  '@aws-sdk/credential-provider-node': standIn('credential-provider-env-only.ts'),
  'whatwg-url': standIn('whatwg-url-node.cjs'),
  '@azure/identity': standIn('azure-identity-none.cjs'),
  http: standIn('node-http-builtin.cjs'),
  'node:http': standIn('node-http-builtin.cjs'),
  http2: standIn('node-http2-lazy.cjs'),
  'node:http2': standIn('node-http2-lazy.cjs'),
  dns: standIn('node-dns-lazy.cjs'),
  'node:dns': standIn('node-dns-lazy.cjs'),
  semver: standIn('semver-lazy.cjs'),
  '@js-joda/core': standIn('js-joda-local-date.cjs')
}

const exactly = (name) => new RegExp(`^${name.replace(/[/.*+?^${}()|[\]\\-]/g, '\\$&')}$`)

/**
 * One onResolve per package, each answering without reading its arguments: SST's builder tests the
 * filter itself and hands the callback esbuild's arguments in its own (Go) shape, so a callback that
 * read `args.path` would get nothing there.
 */
/** @type {import('esbuild').Plugin} */
export const lambdaStandIns = {
  name: 'lambda-stand-ins',
  setup (build) {
    for (const [name, file] of Object.entries(STAND_INS)) build.onResolve({ filter: exactly(name) }, () => ({ path: file }))
  }
}

export default [lambdaStandIns]
