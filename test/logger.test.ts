import { Writable } from 'node:stream'
import { pino } from 'pino'
import t from 'tap'
import { loggerOptions, scrubSecrets, WITHHELD_MESSAGE } from '../src/logger.js'

const TOKEN = '123456789:LOGGER-test_token_0123456789abcdefgh'
const SECRET = 'db-password-Zq9xK'

/** A logger with the app's options whose lines are returned parsed. */
function capture (secrets: string[]): { log: pino.Logger, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    }
  })
  return { log: pino(loggerOptions('debug', secrets), stream), lines }
}

t.test('scrubSecrets removes bot-token-shaped text and configured secrets', async (t) => {
  t.equal(scrubSecrets(`GET https://api.telegram.org/bot${TOKEN}/getMe failed`, []), 'GET https://api.telegram.org/bot[redacted]/getMe failed')
  t.equal(scrubSecrets('two: 1:abcdefghijklmnopqrstu and 98765:ABCDEFGHIJKLMNOPQRST_-', []), 'two: [redacted] and [redacted]', 'every token-shaped substring')
  t.equal(scrubSecrets(`Login failed for ${SECRET}; retry ${SECRET}`, [SECRET]), 'Login failed for [redacted]; retry [redacted]', 'every occurrence of a secret')
  t.equal(scrubSecrets('a+b(c)*d', ['a+b(c)*d']), '[redacted]', 'secrets are matched literally, not as patterns')
  t.equal(scrubSecrets('demo user tok', ['demo', 'tok']), 'demo user tok', 'values too short to be secrets are left alone')
  t.equal(scrubSecrets('nothing to hide: 12:short', [SECRET]), 'nothing to hide: 12:short')
})

t.test('the err serializer scrubs message, stack and cause', async (t) => {
  const { log, lines } = capture([SECRET])
  const cause = Object.assign(new Error(`connect failed with password ${SECRET}`), { code: 'ELOGIN' })
  const error = Object.assign(new Error(`request to https://api.telegram.org/bot${TOKEN}/sendMessage failed`, { cause }), { statusCode: 502 })
  log.error({ err: error }, 'reply failed')
  log.warn({ error: new TypeError(`bad ${SECRET}`) }, 'other key')
  log.info({ err: `a thrown string with ${TOKEN}` }, 'thrown string')
  log.info({ err: undefined }, 'no error')
  const stackless = new Error(`no stack ${SECRET}`)
  stackless.stack = undefined
  log.warn({ err: stackless }, 'stackless')

  const [first, second, third] = lines
  t.match(first, {
    msg: 'reply failed',
    err: {
      type: 'Error',
      message: 'request to https://api.telegram.org/bot[redacted]/sendMessage failed',
      statusCode: 502,
      cause: { type: 'Error', message: 'connect failed with password [redacted]', code: 'ELOGIN' }
    }
  })
  const err = first?.err as { stack: string, cause: { stack: string } }
  t.match(err.stack, /^Error: request to https:\/\/api\.telegram\.org\/bot\[redacted\]\/sendMessage failed\n\s+at /, 'the stack is kept, scrubbed')
  t.match(err.cause.stack, /password \[redacted\]/)
  t.match(second, { err: undefined, error: { type: 'TypeError', message: 'bad [redacted]' } }, 'the `error` key is serialized the same way')
  t.match(third, { err: { type: 'string', message: 'a thrown string with [redacted]', stack: '' } }, 'a non-Error thrown value')

  t.match(lines[4], { msg: 'stackless', err: { message: 'no stack [redacted]', stack: '' } }, 'an error without a stack')

  const all = JSON.stringify(lines)
  t.notOk(all.includes(TOKEN), 'no token anywhere')
  t.notOk(all.includes(SECRET), 'no secret anywhere')
})

t.test('a cause chain that loops is cut off instead of overflowing the stack', async (t) => {
  const { log, lines } = capture([])
  const looping = new Error('outer')
  const inner = new Error('inner', { cause: looping })
  looping.cause = inner
  log.error({ err: looping }, 'looping')
  let depth = 0
  for (let cause = lines[0]?.err as { cause?: unknown } | undefined; cause !== undefined; cause = cause.cause as { cause?: unknown } | undefined) depth++
  t.equal(depth, 6, 'the error and five causes')
})

t.test('paths that carry user text or credentials are redacted', async (t) => {
  const { log, lines } = capture([])
  log.info({
    req: { headers: { 'x-telegram-bot-api-secret-token': 'hdr-secret', authorization: 'Bearer abc', host: 'example.com' } },
    update: { message: { text: '/register alice s3cret', chat: { id: 1 } }, edited_message: { text: 'edited s3cret' } },
    text: 's3cret text',
    token: 's3cret token',
    payload: { text: 's3cret payload', chat_id: 1 }
  }, 'logged')
  t.match(lines[0], {
    req: { headers: { 'x-telegram-bot-api-secret-token': '[redacted]', authorization: '[redacted]', host: 'example.com' } },
    update: { message: { text: '[redacted]', chat: { id: 1 } }, edited_message: { text: '[redacted]' } },
    text: '[redacted]',
    token: '[redacted]',
    payload: { text: '[redacted]', chat_id: 1 }
  })
  t.notOk(JSON.stringify(lines).includes('s3cret'))
  t.notOk(JSON.stringify(lines).includes('hdr-secret'))
})

t.test('a database error that may quote a parameter: its text is withheld, its numbers kept, whatever it quotes', async (t) => {
  const { log, lines } = capture([])
  const token = 'Vq3Lm8-Xz7Kp2-Rt9Wb4'
  const fromServer = Object.assign(new Error(`String or binary data would be truncated in table 'link', column 'Token'. Truncated value: '${token.slice(0, 9)}'.`), { name: 'RequestError', code: 'EREQUEST', number: 2628, state: 1 })
  const numbered = Object.assign(new Error(`raised: ${token.slice(3, 12)}\nsecond line ${token}`), { number: 50123 })
  const driver = Object.assign(new Error(`Validation failed for parameter 'Token'. Value ${token}`), { name: 'RequestError', code: 'EPARAM' })
  log.error({ err: new Error('register failed', { cause: fromServer }) }, 'wrapped')
  log.error({ err: numbered }, 'numbered')
  log.error({ err: driver }, 'driver')
  t.match(lines[0], { err: { message: 'register failed', cause: { type: 'RequestError', message: WITHHELD_MESSAGE, code: 'EREQUEST', number: 2628 } } })
  t.match(lines[1], { err: { message: WITHHELD_MESSAGE, number: 50123 } })
  t.match(lines[2], { err: { type: 'RequestError', message: WITHHELD_MESSAGE, code: 'EPARAM' } })
  t.match((lines[1]?.err as { stack: string }).stack, /^\s+at /, 'the stack keeps its frames, without the message lines')
  const all = JSON.stringify(lines)
  for (let start = 0; start + 6 <= token.length; start++) t.notOk(all.includes(token.slice(start, start + 6)), `no run of 6 characters of the token (from ${start})`)
})
