'use strict'

// Stand-in for `semver` in the Lambda bundles (infra/lambda-build.ts): the real package (its
// index.js, the same version npm installed), loaded on first use (lazy-module.cjs). Its only importer
// in the bundles is Fastify, which checks a plugin's declared `fastify` version range with it;
// no plugin here declares one, so the ~2–3 ms its index spends building every class, function and
// regular expression at load is never needed. What this gives up: nothing (a plugin that declares a
// range gets the real check, the package loaded then).
module.exports = require('./lazy-module.cjs')(() => require('semver/index.js'))
