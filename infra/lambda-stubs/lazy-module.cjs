'use strict'

// A module object that loads the real module on first use: the stand-in for packages and Node
// built-ins that Lambda bundles import at init but use only on paths a Lambda never takes at init,
// or never (Fastify's `node:http2` and `node:dns` serve `listen()`, which no Lambda calls; semver
// checks a plugin's declared Fastify range, which no plugin here declares). Every property read,
// key listing, `in` test and write is forwarded to the real module, so nothing is given up:
// the same values, the same functions, only loaded later. Importers that read a property at their
// own load (a destructuring `require`, esbuild's ESM interop listing the keys) load it then, as before.
// For module objects only, not for a module that is itself a function (it would need a callable target).
module.exports = function lazyModule (load) {
  let real
  const module = () => (real ??= load())
  // An empty object target: it holds no non-configurable property, so forwarding every key keeps the Proxy invariants.
  return new Proxy({}, {
    get: (_, key) => module()[key],
    has: (_, key) => key in module(),
    ownKeys: () => Reflect.ownKeys(module()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(module(), key)
      // Reported as configurable: the target does not hold the property, and a Proxy may not claim
      // a non-configurable property its target lacks. Reads still go through `get`.
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true }
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(module()),
    set: (_, key, value) => Reflect.set(module(), key, value)
  })
}
