'use strict'

// Stand-in for `dns` / `node:dns` in the Lambda bundles (infra/lambda-build.ts): Node's own module,
// loaded on first use (lazy-module.cjs). Fastify's server module requires it at load to resolve the
// host `listen()` binds, which a Lambda never calls (~0.4 ms on Node 20, ~1.5 ms on Node 24 at every
// cold start). tedious reads it at load (its interop checks `__esModule`), so the Worker loads it as
// before. What this gives up: nothing (the same module object's values, loaded later).
module.exports = require('./lazy-module.cjs')(() => process.getBuiltinModule('node:dns'))
