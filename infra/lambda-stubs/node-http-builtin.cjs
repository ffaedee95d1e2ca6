'use strict'

// Stand-in for the `http` / `node:http` import in the Lambda bundles (infra/lambda-build.ts): Node's own
// module object, unchanged. On Node 22 and 24 an ES `import … from 'node:http'` makes Node build the
// module's ES facade, which reads every export, including the lazy `WebSocket` one, and so loads
// Node's bundled undici: ~10–18 ms of CPU at every cold start (node-fetch, Telegraf's HTTP client, and
// the error handler import it that way). `getBuiltinModule` returns the same object `require('http')`
// does, without the facade. What this gives up: nothing (same object, same identity).
module.exports = process.getBuiltinModule('node:http')
