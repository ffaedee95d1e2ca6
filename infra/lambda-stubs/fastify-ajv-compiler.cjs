'use strict'

// Stand-in for @fastify/ajv-compiler in the Lambda bundles (infra/lambda-build.ts). The app gives
// Fastify its own validator compiler (src/schema-compilers.ts), so Ajv is never needed; what this
// gives up: Ajv's keywords and formats (`format: 'email'`, `$data`, custom keywords) and schemas
// added with addSchema/$ref resolved by Ajv. A Fastify that asks for its default compiler anyway
// (an app built without schemaCompilers) fails here at init, loudly, instead of validating nothing.
function ValidatorSelector () {
  throw new Error('Lambda build: Fastify asked for its default Ajv validator compiler, which this bundle leaves out; give Fastify schemaController.compilersFactory (src/schema-compilers.ts)')
}

module.exports = ValidatorSelector
module.exports.default = ValidatorSelector
module.exports.ValidatorSelector = ValidatorSelector
