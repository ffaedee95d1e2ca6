import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { loadSqliteDriver, sqliteDriverFailure } from '../../src/db/sqlite-driver.js'
import { StartupError } from '../../src/errors.js'
import { LAMBDA_NODE_MAJOR, nodeBinary } from '../../scripts/lib/node-release.js'
import { runToCompletion, withoutNotices } from '../support/child-process.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

// Node 24's start-up path against this machine's build takes a while on a loaded machine.
t.setTimeout(120_000)

/** Node's own words (Node 24 loading a build for Node 20), as `npm start` printed them before this check. */
const ABI_MISMATCH = new Error(`The module '/repo/node_modules/better-sqlite3/build/Release/better_sqlite3.node'
was compiled against a different Node.js version using
NODE_MODULE_VERSION 115. This version of Node.js requires
NODE_MODULE_VERSION 137. Please try re-compiling or re-installing
the module (for instance, using \`npm rebuild\` or \`npm install\`).`)

/** A nodedir with the headers' version file of the given Node major. */
async function nodedirOf (t: Test, major: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nodedir-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  await mkdir(join(dir, 'include', 'node'), { recursive: true })
  await writeFile(join(dir, 'include', 'node', 'node_version.h'), `#define NODE_MAJOR_VERSION ${major}\n#define NODE_MINOR_VERSION 1\n`)
  return dir
}

t.test('a build for this Node loads: the driver opens a database', async (t) => {
  const Database = loadSqliteDriver()
  const database = new Database(':memory:')
  t.same(database.prepare('SELECT 1 AS one').get(), { one: 1 })
  database.close()
})

t.test('a build for another Node: one line naming the module, both Nodes and the fix', async (t) => {
  const failure = sqliteDriverFailure(ABI_MISMATCH, {})
  t.ok(failure instanceof StartupError)
  const { message } = failure as StartupError
  t.equal(message, `better-sqlite3 (the embedded database's driver) was built for Node 20 (NODE_MODULE_VERSION 115), not for this Node ${process.versions.node} (NODE_MODULE_VERSION 137): run \`npm rebuild better-sqlite3\` with this Node`)
  t.notMatch(message, /\n/, 'one line')
})

t.test("npm's nodedir: named when it holds another Node's headers (npm rebuild would build for that Node again)", async (t) => {
  const thisMajor = process.versions.node.split('.')[0] ?? ''
  const other = await nodedirOf(t, '18')
  t.match((sqliteDriverFailure(ABI_MISMATCH, { npm_config_nodedir: other }) as Error).message,
    `, and npm_config_nodedir set to Node ${thisMajor}'s install directory (npm's nodedir ${other} holds Node 18's headers)`)
  t.match((sqliteDriverFailure(ABI_MISMATCH, { npm_config_nodedir: join(other, 'absent') }) as Error).message, /holds no Node headers\)$/)
  const same = await nodedirOf(t, thisMajor)
  t.match((sqliteDriverFailure(ABI_MISMATCH, { npm_config_nodedir: same }) as Error).message, /with this Node$/, "this Node's headers: nothing to add")
})

t.test('no build at all (install scripts skipped), and anything else', async (t) => {
  const missing = sqliteDriverFailure(new Error('Could not locate the bindings file. Tried:\n → /repo/node_modules/better-sqlite3/build/better_sqlite3.node'), {})
  t.equal((missing as Error).message, "better-sqlite3 (the embedded database's driver) has no native build (its install script did not run): run `npm rebuild better-sqlite3` with this Node")
  const other = new Error('SQLITE_CANTOPEN: unable to open database file')
  t.equal(sqliteDriverFailure(other, {}), other, 'other errors unchanged')
  t.equal(sqliteDriverFailure('thrown text', {}), 'thrown text')
})

// For real: this machine's build is for the Node running the tests; Node 24 (.sst/node/24) is the other Node.
const lambdaNode = nodeBinary(LAMBDA_NODE_MAJOR)
const otherAbi = (await runToCompletion(lambdaNode, ['-p', 'process.versions.modules'], { cwd: ROOT })).stdout.trim()
const skip = otherAbi === process.versions.modules ? `better-sqlite3 is built for Node ${LAMBDA_NODE_MAJOR} here: no other Node to load it with` : false

t.test(`npm start and npm test on Node ${LAMBDA_NODE_MAJOR} against this machine's build stop with the one line`, { skip }, async (t) => {
  // Node 24 first on PATH, as a version manager leaves it; npm itself then runs on Node 24 too.
  const env = { PATH: `${join(lambdaNode, '..')}:${process.env.PATH ?? ''}`, PORT: '0', LOG_LEVEL: 'warn', QUEUE_URL: '', DATABASE_CONNECTION_STRING: '', TELEGRAM_BOT_TOKEN: '' }
  const expected = new RegExp(`^better-sqlite3 \\(the embedded database's driver\\) was built for Node ${process.versions.node.split('.')[0] ?? ''} \\(NODE_MODULE_VERSION ${process.versions.modules}\\), not for this Node ${LAMBDA_NODE_MAJOR}\\.[\\d.]+ \\(NODE_MODULE_VERSION ${otherAbi}\\): run \`npm rebuild better-sqlite3\` with this Node`)
  const start = await runToCompletion('npm', ['start', '--silent'], { cwd: ROOT, env })
  t.equal(start.code, 1, 'npm start exits 1')
  const startLine = withoutNotices(start.stderr)
  t.notMatch(startLine, /\n/, 'one line', { stderr: start.stderr })
  t.match(startLine.replace(/^Cannot start: /, ''), expected)
  t.ok(startLine.startsWith('Cannot start: '))
  // npm test's first step: the rest of the suite (run by that step's success) is not started here.
  const check = await runToCompletion(lambdaNode, ['--import', 'tsx', 'test/support/sqlite-driver-check.ts'], { cwd: ROOT, env })
  t.equal(check.code, 1, "npm test's first step exits 1")
  const checkLine = withoutNotices(check.stderr)
  t.notMatch(checkLine, /\n/, 'one line', { stderr: check.stderr })
  t.match(checkLine.replace(/^Cannot test: /, ''), expected)
  t.ok(checkLine.startsWith('Cannot test: '))
})
