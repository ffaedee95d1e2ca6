import t from 'tap'
import { helpText } from '../../src/commands/help.js'
import { commands } from '../../src/commands/index.js'
import { BOT_TEXTS } from '../../src/commands/bot-texts.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { startWorkerFixture } from '../support/worker.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.inProcessServices)

/** /start, /start <payload> and /help through the worker's entry: the bot answers when spoken to. */

const ann = { id: 5201, first_name: 'Ann' }
const group = { id: -100600, type: 'group' as const, title: 'Team' }
const context = (): ReturnType<typeof lambdaContext> => lambdaContext('worker', 60_000)

t.test('the help comes from the command registry: what the bot does, then every command with its usage', async (t) => {
  const text = helpText(commands)
  t.equal(text, [
    BOT_TEXTS.about,
    '',
    'Commands:',
    '/register [username] [token] - Link your Telegram account to your platform account',
    '/help - What this bot does and how to use its commands',
    '/start - Start talking to the bot'
  ].join('\n'))
  t.same(commands.map((command) => command.name), ['register', 'help', 'start'])
})

t.test('/start, /start <payload>, /help and /help@bot in a private chat answer with the help, naming /register', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const texts = ['/start', '/start from-a-link', '/help', '/help@register_test_bot', '/HELP']
  const records = texts.map((text) => updateRecord(telegram.sendUserMessage({ from: ann, text })))
  t.same((await createBatchHandler(app)(sqsEvent(records), context())).batchItemFailures, [])
  const replies = telegram.botMessages(ann.id).map((message) => message.text)
  t.same(replies, texts.map(() => helpText(app.commandRegistry.commands)))
  t.match(replies[0], /\/register \[username\] \[token\]/)
  t.same(app.commandRegistry.menu(), commands.map((command) => ({ command: command.name, description: command.description })), 'the setMyCommands menu is the same registry')
})

t.test('/start register (the deep link) answers with the /register usage', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  await createBatchHandler(app)(sqsEvent([updateRecord(telegram.sendUserMessage({ from: ann, text: '/start register' }))]), context())
  t.same(telegram.botMessages(ann.id).map((message) => message.text), [BOT_TEXTS.registerHere('/register [username] [token]')])
  t.match(BOT_TEXTS.registerHere('/register [username] [token]'), /\/register \[username\] \[token\]/)
})

t.test('in a group, /help@bot and /start@bot answer; a bare /help or /start is left to the bot it is meant for', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const texts = ['/help', '/start', '/help@register_test_bot', '/start@register_test_bot register', '/help@other_bot']
  const records = texts.map((text) => updateRecord(telegram.sendUserMessage({ chat: group, from: ann, text })))
  await createBatchHandler(app)(sqsEvent(records), context())
  t.same(telegram.botMessages(group.id).map((message) => message.text), [helpText(commands), BOT_TEXTS.registerHere('/register [username] [token]')])
})

t.test('a redelivered /help or /start register is answered once', async (t) => {
  const { app, telegram } = await startWorkerFixture(t)
  const records = ['/help', '/start register'].map((text) => updateRecord(telegram.sendUserMessage({ from: ann, text })))
  const handler = createBatchHandler(app)
  for (const receive of [1, 2]) {
    // Lambda's event source may hand the same records over again; a late duplicate is another SQS message.
    t.same((await handler(sqsEvent(records.map((record) => ({ ...record, messageId: `${record.messageId}-${receive}` }))), context())).batchItemFailures, [])
  }
  t.same(telegram.botMessages(ann.id).map((message) => message.text), [helpText(commands), BOT_TEXTS.registerHere('/register [username] [token]')])
})
