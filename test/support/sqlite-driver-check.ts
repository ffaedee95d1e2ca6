/**
 * Run first by `npm test` (package.json): with better-sqlite3 built for another
 * Node, every test that opens the embedded database would fail with the same stack; `npm test` stops
 * here instead, with the one line that says how to fix it.
 */
import { loadSqliteDriver } from '../../src/db/sqlite-driver.js'
import { StartupError } from '../../src/errors.js'

try {
  loadSqliteDriver()
} catch (error) {
  if (!(error instanceof StartupError)) throw error
  process.stderr.write(`Cannot test: ${error.message}\n`)
  process.exitCode = 1
}
