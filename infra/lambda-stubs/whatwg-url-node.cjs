'use strict'

// Stand-in for whatwg-url (and its 265 kB tr46 Unicode tables) in the Lambda bundles
// (infra/lambda-build.ts). Its only importer here is node-fetch 2 (Telegraf's HTTP client), which
// takes Node's own `url.URL` whenever it exists (`Url.URL || whatwgUrl.URL`), as it always does on
// Node ≥ 10, so the package is never used at run time. What this gives up: whatwg-url's other exports
// (parseURL, serializeURL, …), which nothing in the bundles calls; a new importer that did would get
// undefined and fail at its first call.
module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams }
