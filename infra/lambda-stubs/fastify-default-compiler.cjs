'use strict'

/**
 * What the two compiler stand-ins share: Fastify's default compiler selectors, replaced by one that
 * fails at init, loudly, naming what Fastify asked for, instead of validating or serialising nothing.
 */
module.exports = function fastifyDefaultCompilerLeftOut (exportName, what) {
  function selector () {
    throw new Error(`Lambda build: Fastify asked for its default ${what}, which this bundle leaves out; give Fastify schemaController.compilersFactory (src/schema-compilers.ts)`)
  }
  selector.default = selector
  selector[exportName] = selector
  return selector
}
