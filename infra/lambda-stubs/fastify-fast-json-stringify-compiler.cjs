'use strict'

// Stand-in for @fastify/fast-json-stringify-compiler in the Lambda bundles (infra/lambda-build.ts).
// The app serialises with JSON.stringify (src/schema-compilers.ts); what this gives up: response
// schemas no longer filter out undeclared properties or coerce values, and fast-json-stringify's
// faster serialisation of large known shapes. A Fastify that asks for its default serializer
// compiler anyway fails here at init, loudly.
function SerializerSelector () {
  throw new Error('Lambda build: Fastify asked for its default fast-json-stringify serializer compiler, which this bundle leaves out; give Fastify schemaController.compilersFactory (src/schema-compilers.ts)')
}

module.exports = SerializerSelector
module.exports.default = SerializerSelector
module.exports.SerializerSelector = SerializerSelector
