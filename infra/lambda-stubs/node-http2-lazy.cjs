'use strict'

// Stand-in for `http2` / `node:http2` in the Lambda bundles (infra/lambda-build.ts): Node's own module,
// loaded on first use (lazy-module.cjs). Fastify's server module requires it at load for `listen()`
// with `http2: true`; a Lambda never listens, and loading it costs ~3 ms (Node 20) to ~5 ms (Node 24)
// of every cold start. What this gives up: nothing (the same module object's values, loaded later).
module.exports = require('./lazy-module.cjs')(() => process.getBuiltinModule('node:http2'))
