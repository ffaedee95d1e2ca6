'use strict'

// Stand-in for @fastify/fast-json-stringify-compiler in the Lambda bundles (infra/lambda-build.ts).
// The app serialises with JSON.stringify (src/schema-compilers.ts); what this gives up: response
// schemas no longer filter out undeclared properties or coerce values, and fast-json-stringify's
// faster serialisation of large known shapes. A Fastify that asks for its default serializer
// compiler anyway fails here at init, loudly.
module.exports = require('./fastify-default-compiler.cjs')('SerializerSelector', 'fast-json-stringify serializer compiler')
