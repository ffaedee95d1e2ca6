'use strict'

// What-if stand-in for @fastify/fast-json-stringify-compiler: responses are serialised with
// JSON.stringify. The response schemas then document rather than filter; this app's handlers
// return exactly the declared shapes.
function SerializerSelector () {
  return function buildSerializer () {
    return function compileSerializer () {
      return (data) => JSON.stringify(data)
    }
  }
}

module.exports = SerializerSelector
module.exports.default = SerializerSelector
module.exports.SerializerSelector = SerializerSelector
