'use strict'

// What-if stand-in for @fastify/ajv-compiler: the app sets its own validator compiler before any
// route, so Fastify never needs Ajv. Building a validator from here would be a bug in the what-if.
function ValidatorSelector () {
  return function buildValidator () {
    throw new Error('bench what-if: Fastify asked for its default Ajv validator')
  }
}

module.exports = ValidatorSelector
module.exports.default = ValidatorSelector
module.exports.ValidatorSelector = ValidatorSelector
