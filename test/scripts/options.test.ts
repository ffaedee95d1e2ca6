import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { resolveApiUrl } from '../../scripts/lib/api-url.js'
import { readBotCredentials, readWebhookSecret } from '../../scripts/lib/bot-credentials.js'
import { TOKEN } from './fake-http.js'

t.test('api url: --url wins, without a trailing slash', async (t) => {
  t.equal(resolveApiUrl({ url: 'https://abc.execute-api.us-east-1.amazonaws.com/' }), 'https://abc.execute-api.us-east-1.amazonaws.com')
  t.throws(() => resolveApiUrl({ url: 'ftp://x' }), /not an http\(s\) URL/)
  t.throws(() => resolveApiUrl({ url: 'nonsense' }), /not a URL/)
  t.throws(() => resolveApiUrl({}), /pass --url/)
})

t.test('api url: from the last deploy\'s outputs, only for the same stage', async (t) => {
  const outputs = join(mkdtempSync(join(tmpdir(), 'outputs-')), 'outputs.json')
  t.throws(() => resolveApiUrl({ stage: 'prod' }, outputs), /deploy stage prod first/)
  writeFileSync(outputs, JSON.stringify({ stage: 'prod', apiUrl: 'https://prod.example.com' }))
  t.equal(resolveApiUrl({ stage: 'prod' }, outputs), 'https://prod.example.com')
  t.throws(() => resolveApiUrl({ stage: 'dev' }, outputs), /from stage prod, not dev/)
  writeFileSync(outputs, JSON.stringify({ stage: 'dev' }))
  t.throws(() => resolveApiUrl({ stage: 'dev' }, outputs), /no apiUrl/)
})

t.test('credentials: the env token wins over the SST link', async (t) => {
  const fromEnv = readBotCredentials({ TELEGRAM_BOT_TOKEN: TOKEN }, { TELEGRAM_BOT_TOKEN: 'other:token' })
  t.same(fromEnv, { token: TOKEN, apiRoot: 'https://api.telegram.org' })
  const fromLink = readBotCredentials({ TELEGRAM_API_ROOT: 'http://127.0.0.1:9/' }, { TELEGRAM_BOT_TOKEN: TOKEN })
  t.same([fromLink.token, fromLink.apiRoot], [TOKEN, 'http://127.0.0.1:9'])
  t.throws(() => readBotCredentials({ TELEGRAM_BOT_TOKEN: '' }, {}), /no bot token/)
})

t.test('webhook secret: the stage\'s TELEGRAM_WEBHOOK_SECRET wins (the value the Api links), never derived from the token', async (t) => {
  t.equal(readWebhookSecret({ TELEGRAM_WEBHOOK_SECRET: 'from-the-shell' }, { TELEGRAM_WEBHOOK_SECRET: 'the_stage-secret' }), 'the_stage-secret')
  t.equal(readWebhookSecret({ TELEGRAM_WEBHOOK_SECRET: 'from-the-shell' }, {}), 'from-the-shell')
  t.throws(() => readWebhookSecret({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: '' }, { TELEGRAM_BOT_TOKEN: TOKEN }), /^no webhook secret: run the script through `npx sst shell/)
  const malformed = 'has spaces and é'
  t.throws(() => readWebhookSecret({ TELEGRAM_WEBHOOK_SECRET: malformed }, {}), { message: /must be 1–256 characters .*\(value hidden\)$/ })
  t.notMatch(String(t.throws(() => readWebhookSecret({ TELEGRAM_WEBHOOK_SECRET: malformed }, {}))), malformed)
})
