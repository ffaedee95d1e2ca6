'use strict'

// Stand-in for @fastify/ajv-compiler in the Lambda bundles (infra/lambda-build.ts). The app gives
// Fastify its own validator compiler (src/schema-compilers.ts), so Ajv is never needed; what this
// gives up: Ajv's keywords and formats (`format: 'email'`, `$data`, custom keywords) and schemas
// added with addSchema/$ref resolved by Ajv. A Fastify that asks for its default compiler anyway
// (an app built without schemaCompilers) fails here at init, loudly, instead of validating nothing.
module.exports = require('./fastify-default-compiler.cjs')('ValidatorSelector', 'Ajv validator compiler')
