import t from 'tap'
import { BOT_TEXTS } from '../../src/commands/bot-texts.js'
import type { BotCommand } from '../../src/commands/command.js'
import { commands } from '../../src/commands/index.js'
import { replyOnce } from '../../src/commands/reply-once.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { createBatchHandler } from '../../src/worker/process-batch.js'
import { logLinesWithMessage } from '../support/log-capture.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'
import { startWorkerFixture } from '../support/worker.js'

/** The dispatcher's `inGroups: 'private-only'` mode, with a command that exists only in this test. */

const ann = { id: 5401, first_name: 'Ann' }
const group = { id: -100800, type: 'supergroup' as const, title: 'Team' }
const context = (): ReturnType<typeof lambdaContext> => lambdaContext('worker', 60_000)

/** `/statement <month>`: answers only in a private chat; records what it was given. */
function statementCommand (): { command: BotCommand<'answered'>, invocations: Array<{ chat: string, args: string[] }> } {
  const invocations: Array<{ chat: string, args: string[] }> = []
  const command: BotCommand<'answered'> = {
    name: 'statement',
    description: 'Your statement for a month',
    usage: '/statement [month]',
    inGroups: 'private-only',
    outcomes: ['answered'],
    async handle (invocation) {
      invocations.push({ chat: invocation.ctx.chat.type, args: invocation.args })
      if (await replyOnce(invocation, `statement for ${invocation.args.join(' ')}`)) invocation.app.botMetrics.commandOutcome(command, 'answered')
    }
  }
  return { command, invocations }
}

t.test('a private-only command: answered in a private chat; in a group a pointer to the private chat, the command not called', async (t) => {
  const { command, invocations } = statementCommand()
  const { app, telegram } = await startWorkerFixture(t, {}, undefined, [...commands, command])
  const pointer = BOT_TEXTS.privateChatOnly('statement', 'register_test_bot')
  t.equal(pointer, 'Please send /statement to me in a private chat: https://t.me/register_test_bot')
  const before = logLinesWithMessage('private-only command in a group: pointed to the private chat').length

  const privately = updateRecord(telegram.sendUserMessage({ from: ann, text: '/statement 2026-11' }))
  const inGroup = ['/statement 2026-11 secret-note', '/statement@register_test_bot 2026-11', '/statement@other_bot 2026-11']
    .map((text) => updateRecord(telegram.sendUserMessage({ chat: group, from: ann, text })))
  const handler = createBatchHandler(app)
  for (const receive of [1, 2]) {
    // Delivered twice: the pointer, like any answer, goes out once per update.
    const records = [privately, ...inGroup].map((record) => ({ ...record, messageId: `${record.messageId}-${receive}` }))
    t.same((await handler(sqsEvent(records), context())).batchItemFailures, [])
  }

  t.same(telegram.botMessages(ann.id).map((message) => message.text), ['statement for 2026-11'])
  t.same(telegram.botMessages(group.id).map((message) => message.text), [pointer, pointer], '/statement and /statement@bot pointed once each; /statement@other_bot left alone')
  const privateCall = { chat: 'private', args: ['2026-11'] }
  t.same(invocations, [privateCall, privateCall], 'called for the private chat only (on each delivery): the group messages\' arguments were never handed to it')
  const logged = logLinesWithMessage('private-only command in a group: pointed to the private chat').slice(before)
  t.match(logged, [{ command: 'statement', chatType: 'supergroup' }, { command: 'statement', chatType: 'supergroup' }])
  t.notMatch(JSON.stringify(logged), /secret-note|2026-11/, 'nothing after the command name is logged')
})

t.test('the bot\'s own registry has no private-only command yet: /register still answers in groups', async (t) => {
  t.same(commands.map((command) => [command.name, command.inGroups]), [['register', 'always'], ['help', 'when-addressed'], ['start', 'when-addressed']])
})
