import fc from 'fast-check'
import t from 'tap'
import type { Update } from 'telegraf/types'
import { helpText } from '../../src/commands/help.js'
import { commands } from '../../src/commands/index.js'
import { BOT_TEXTS } from '../../src/commands/bot-texts.js'
import { REPLIES } from '../../src/commands/register.js'
import type { SqliteDatabase } from '../../src/db/sqlite-database.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { assertNoSecretLeaks, attemptRows, botApiTraffic, linkRows, watchUnhandledRejections } from '../support/reliability.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { startWorkerFixture } from '../support/worker.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

/**
 * Hostile `/register` texts and Telegram profiles through the worker (SQLite, the Telegram emulator):
 * the batch never fails, the reply is always exactly one of the three texts (or none when the text is
 * not a /register for this bot; the help for /start), and whatever the user typed reaches the store
 * verbatim, as parameters: SQL-looking and astral text included; control and format characters (RTL
 * override, zero-width) are refused with the format reply. Seeds are fixed.
 */

const unhandled = watchUnhandledRejections()
const SEED = 20_240_602
const ACCOUNTS: Record<string, string> = { demo: 'demo-token', alice: 'alice-secret-token' }
const BOT = 'register_test_bot'

const fixture = await startWorkerFixture(t)
const { app, telegram } = fixture
const handler = createBatchHandler(app)
const database = (app.database as SqliteDatabase).database

const SQLISH = ["'; DROP TABLE registration_attempt;--", "Robert'); DROP TABLE telegram_link;--", "' OR '1'='1", '"; SELECT * FROM platform_account; --']
/** The same, as single arguments (an argument never holds whitespace). */
const SQLISH_WORDS = ["';DROP/**/TABLE/**/registration_attempt;--", "Robert');DROP/**/TABLE/**/telegram_link;--", "'OR'1'='1", "demo'--", "demo'/*", '";SELECT/**/*/**/FROM/**/platform_account;--', '%', '_', '\\', '?', '@username', ':token', '$1', 'NULL', '\u202Eomed', 'de\u200Bmo', '\u200Fdemo\u200D', 'demo\u2060']
const MARKS = ['\u202E', '\u202C', '\u200F', '\u200B', '\u200D', '\u2060', '\uFEFF', '\u00AD', '😀', '👨‍👩‍👧', '\uFFFF', '\u0000', '\u0007', '\u0085']
const SPACES = [' ', '  ', '\n', '\t', '\u00A0', '\u3000', '\u2028']

/** One "word": anything, often SQL-looking or full of marks; usually without whitespace so it stays one argument. */
const word = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SQLISH, ...SQLISH_WORDS, ...Object.keys(ACCOUNTS), ...Object.values(ACCOUNTS)) },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom(...MARKS), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 5 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.constantFrom('u'.repeat(128), 'u'.repeat(129), 't'.repeat(512), 't'.repeat(513), '😀'.repeat(64), '😀'.repeat(65)) }
)
const commandWord = fc.constantFrom('/register', `/register@${BOT}`, '/REGISTER@Register_Test_Bot', '/Register', '/register@other_bot', '/register@', '/registerx', 'register', '/start', '\u200B/register')
const text = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(commandWord, fc.array(fc.tuple(fc.constantFrom(...SPACES), word), { maxLength: 3 })).map(([command, args]) => command + args.map(([space, arg]) => space + arg).join('')) },
  { weight: 2, arbitrary: fc.tuple(word, word).map(([username, token]) => `/register ${username} ${token}`) },
  { weight: 1, arbitrary: fc.tuple(commandWord, fc.constantFrom(...Object.entries(ACCOUNTS)), fc.constantFrom(...SPACES)).map(([command, [username, token], space]) => `${command}${space}${username}${space}${token}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) }
).filter((candidate) => candidate.trim() !== '' && candidate.length <= 4096)

type Expected = { reply: 'none' | 'malformed' | 'help' | 'registerHere' } | { reply: 'registered' | 'rejected', username: string }
const INVISIBLE = /[\p{Cc}\p{Cf}]/u

/** The product's rules, written independently of the parser: what the bot must answer to `input`. */
function expectedFor (input: string): Expected {
  const trimmed = input.trim()
  const [first = '', ...rest] = trimmed.split(/(\s+)/)
  const command = first.toLowerCase()
  const args = rest.join('').split(/\s+/).filter((arg) => arg !== '')
  if (command === '/start') return { reply: args[0]?.toLowerCase() === 'register' ? 'registerHere' : 'help' }
  if (command !== '/register' && command !== `/register@${BOT}`) return { reply: 'none' }
  const fits = (value: string, max: number): boolean => value.length <= max && !INVISIBLE.test(value)
  const [username = '', token = ''] = args
  if (args.length !== 2 || !fits(username, 128) || !fits(token, 512)) return { reply: 'malformed' }
  return { reply: ACCOUNTS[username] === token && Object.hasOwn(ACCOUNTS, username) ? 'registered' : 'rejected', username }
}

function replyText (expected: Exclude<Expected, { reply: 'none' }>): string {
  if (expected.reply === 'help') return helpText(commands)
  if (expected.reply === 'registerHere') return BOT_TEXTS.registerHere('/register [username] [token]')
  if (expected.reply === 'malformed') return REPLIES.malformed
  return 'username' in expected && expected.reply === 'registered' ? REPLIES.registered(expected.username) : REPLIES.rejected
}

const context = (): ReturnType<typeof lambdaContext> => lambdaContext('worker', 60_000)
let nextUser = 700_000

t.test('any text: the batch never fails; exactly the one reply the rules say; the typed username reaches the store verbatim', async (t) => {
  const outcomes = new Map<string, number>()
  await fc.assert(fc.asyncProperty(text, async (input) => {
    const from = { id: nextUser++, first_name: 'Fuzz' }
    const update = telegram.sendUserMessage({ from, text: input })
    const result = await handler(sqsEvent([updateRecord(update)]), context())
    if (result.batchItemFailures.length !== 0) throw new Error('the batch failed')

    const expected = expectedFor(update.message.text ?? '')
    outcomes.set(expected.reply, (outcomes.get(expected.reply) ?? 0) + 1)
    const replies = telegram.botMessages(from.id).map((message) => message.text)
    const wanted = expected.reply === 'none' ? [] : [replyText(expected)]
    if (JSON.stringify(replies) !== JSON.stringify(wanted)) throw new Error(`replied ${JSON.stringify(replies)}, expected ${JSON.stringify(wanted)}`)

    const rows = attemptRows(app, from.id)
    if (expected.reply === 'registered' || expected.reply === 'rejected') {
      if (rows.length !== 1 || rows[0]?.username !== expected.username || rows[0]?.outcome !== expected.reply) {
        throw new Error(`attempt rows ${JSON.stringify(rows)}, expected one ${expected.reply} for ${JSON.stringify(expected.username)}`)
      }
    } else if (rows.length !== 0) {
      throw new Error('the procedure ran for a text that is not a well-formed /register')
    }
  }), { seed: SEED, numRuns: 300 })
  t.pass(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`)
  for (const reply of ['none', 'malformed', 'rejected', 'registered', 'help']) t.ok((outcomes.get(reply) ?? 0) > 0, `the generators reach "${reply}"`)
})

t.test('SQL-looking text arrives as parameters: stored verbatim, schema untouched; RTL and zero-width text gets the format reply', async (t) => {
  for (const username of SQLISH_WORDS) {
    const from = { id: nextUser++, first_name: 'Sql' }
    const update = telegram.sendUserMessage({ from, text: `/register ${username} ${SQLISH_WORDS[0] ?? ''}` })
    await handler(sqsEvent([updateRecord(update)]), context())
    if (INVISIBLE.test(username)) {
      t.same(attemptRows(app, from.id), [], `${JSON.stringify(username)} never reaches the procedure`)
      t.same(telegram.botMessages(from.id).map((message) => message.text), [REPLIES.malformed])
    } else {
      t.same(attemptRows(app, from.id).map((row) => [row.username, row.outcome]), [[username, 'rejected']], `${JSON.stringify(username)} stored as typed, and rejected`)
    }
  }
  const tables = database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all()
  t.same(tables, [{ name: 'platform_account' }, { name: 'registration_attempt' }, { name: 'telegram_link' }], 'every table is still there')
  t.same(database.prepare('SELECT username FROM platform_account ORDER BY username').all(), [{ username: 'alice' }, { username: 'demo' }], 'no account appeared or vanished')
})

t.test('hostile Telegram profiles (username, names): registered, and the @username stored verbatim', async (t) => {
  const profile = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom(...SQLISH), fc.array(fc.constantFrom(...MARKS, 'a', 'Z'), { maxLength: 8 }).map((parts) => parts.join('')))
  await fc.assert(fc.asyncProperty(profile, profile, async (username, firstName) => {
    const id = nextUser++
    const update = telegram.sendUserMessage({ from: { id, first_name: 'Profile' }, text: '/register demo demo-token' })
    // Telegram would never send these: they are made by hand, to show nothing in the worker trusts them.
    const message = { ...update.message, from: { ...update.message.from, id, is_bot: false, username, first_name: firstName } }
    const result = await handler(sqsEvent([updateRecord({ ...update, message })]), context())
    if (result.batchItemFailures.length !== 0) throw new Error('the batch failed')
    const replies = telegram.botMessages(id).map((reply) => reply.text)
    if (JSON.stringify(replies) !== JSON.stringify([REPLIES.registered('demo')])) throw new Error(`replied ${JSON.stringify(replies)}`)
    const link = linkRows(app).find((row) => row.telegram_user_id === id)
    if (link?.telegram_username !== username) throw new Error(`stored ${JSON.stringify(link?.telegram_username)}, sent ${JSON.stringify(username)}`)
  }), { seed: SEED + 1, numRuns: 100 })
  t.pass('every profile registered and stored as sent')
})

t.test('update-shaped garbage: the handler always answers with a batch response, never throws', async (t) => {
  const shape = fc.record({
    update_id: fc.nat(),
    message: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({
      message_id: fc.oneof(fc.nat(), fc.string()),
      chat: fc.oneof(fc.record({ id: fc.integer(), type: fc.constantFrom('private', 'group', 'channel', 'x') }), fc.jsonValue({ maxDepth: 1 })),
      from: fc.oneof(fc.record({ id: fc.integer(), is_bot: fc.boolean(), first_name: fc.string() }), fc.jsonValue({ maxDepth: 1 })),
      text: fc.oneof(fc.string(), fc.constant('/register demo demo-token'), fc.jsonValue({ maxDepth: 1 }))
    }, { requiredKeys: [] }))
  }, { requiredKeys: ['update_id'] })
  await fc.assert(fc.asyncProperty(fc.array(shape, { minLength: 1, maxLength: 4 }), async (updates) => {
    const result = await handler(sqsEvent(updates.map((update) => updateRecord(update as unknown as Update))), context())
    if (!Array.isArray(result.batchItemFailures)) throw new Error('no batch response')
  }), { seed: SEED + 2, numRuns: 150 })
  t.pass('always a batch response')
})

t.test('leak scan and unhandled rejections', async (t) => {
  assertNoSecretLeaks(t, [fixture.config.telegram.botToken ?? '', fixture.config.telegram.webhookSecret ?? '', ...Object.values(ACCOUNTS)], botApiTraffic(telegram))
  t.same(unhandled, [], 'no unhandled rejection')
})
