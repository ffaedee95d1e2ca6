import t from 'tap'
import { TelegramError } from 'telegraf'
import { TransientError } from '../../src/errors.js'
import { expectedRefusal, failureLogFields } from '../../src/telegram/refusal.js'

/** As Telegraf builds it from the Bot API's answer. */
const answer = (code: number, description: string, retryAfter?: number): TelegramError =>
  new TelegramError({ error_code: code, description, ...(retryAfter === undefined ? {} : { parameters: { retry_after: retryAfter } }) })

t.test('the answers the bot expects and handles: code and description, no error object', async (t) => {
  const cases = [
    [answer(400, "Bad Request: message can't be deleted"), { code: 400, description: "Bad Request: message can't be deleted" }],
    [answer(400, 'Bad Request: message to delete not found'), { code: 400, description: 'Bad Request: message to delete not found' }],
    [answer(403, 'Forbidden: bot was blocked by the user'), { code: 403, description: 'Forbidden: bot was blocked by the user' }],
    [answer(429, 'Too Many Requests: retry after 6', 6), { code: 429, description: 'Too Many Requests: retry after 6', retryAfter: 6 }]
  ] as const
  for (const [error, refusal] of cases) {
    t.same(expectedRefusal(error), refusal, error.description)
    t.same(failureLogFields(error), { telegram: refusal }, `${error.description}: logged without err`)
  }
})

t.test('a 429 that ended the retries (the TransientError around it) keeps what gave up', async (t) => {
  const error = new TransientError('Telegram sendMessage still failing after 5 attempts', { cause: answer(429, 'Too Many Requests: retry after 60', 60) })
  t.same(failureLogFields(error), {
    telegram: { code: 429, description: 'Too Many Requests: retry after 60', retryAfter: 60 },
    failure: 'Telegram sendMessage still failing after 5 attempts'
  })
})

t.test('what nobody expected keeps the error, and with it the stack', async (t) => {
  const unexpected = [
    answer(400, 'Bad Request: chat not found'),
    answer(401, 'Unauthorized'),
    answer(502, 'Bad Gateway'),
    new TransientError('Telegram sendMessage still failing after 5 attempts', { cause: answer(502, 'Bad Gateway') }),
    new TransientError('deadline passed'),
    new TypeError('a bug')
  ]
  for (const error of unexpected) {
    t.equal(expectedRefusal(error), undefined, error.message)
    t.same(failureLogFields(error), { err: error }, `${error.message}: logged as err`)
  }
})
