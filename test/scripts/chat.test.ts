import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import t, { type Test } from 'tap'
import { Telegraf } from 'telegraf'
import { ChatSetupError, EmulatorClient, findEmulatorUrl } from '../../scripts/lib/chat-client.js'
import { ChatUsageError, DELETED_NOTE, formatBotMessage, GROUP_CHAT, main, NO_ANSWER_NOTE, nothingHappened, parseChatArgs, retryingNote, USAGE, type ChatIo, type MainDeps } from '../../scripts/lib/chat-cli.js'
import { helpText } from '../../src/commands/help.js'
import { commands } from '../../src/commands/index.js'
import { BOT_TEXTS } from '../../src/commands/bot-texts.js'
import { REPLIES, TEXTS } from '../../src/commands/register.js'
import { TransientError } from '../../src/errors.js'
import { APOLOGY } from '../../src/worker/dead-letter.js'
import { injectStoreFaults } from '../support/faults.js'
import { startPipeline, startRuntime } from '../support/reliability.js'
import type { TelegramEmulator } from '../../src/local/telegram-emulator.js'
import { startFakeTelegram, startWebhookReceiver } from '../support/telegram.js'
import { closedPort, until } from '../support/wait.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.localRuntime)

/**
 * The bot the CLI talks to, simulated with Telegraf behind a real webhook: /register replies as
 * the product does (and deletes the command in groups when it may), "two" answers twice,
 * "silent" not at all, anything else is echoed.
 */
async function startSimulatedBot (t: Test, emulator: TelegramEmulator): Promise<void> {
  const bot = new Telegraf(emulator.token, { telegram: { apiRoot: emulator.url, webhookReply: false } })
  bot.botInfo = emulator.bot
  bot.command('register', async (ctx) => {
    const [username, token] = ctx.payload.split(/\s+/)
    if (ctx.chat.type !== 'private') await ctx.deleteMessage().catch(() => {})
    await ctx.reply(username !== undefined && username !== '' && token !== undefined ? `Registration successful! Welcome ${username}` : 'Please use format: /register [username] [token]')
  })
  bot.hears('two', async (ctx) => {
    await ctx.reply('first\nsecond line')
    await new Promise((resolve) => setTimeout(resolve, 100))
    await ctx.reply('third')
  })
  bot.hears('silent', () => {})
  bot.on('text', async (ctx) => { await ctx.reply(`you said: ${ctx.message.text}`) })
  const receiver = await startWebhookReceiver(t, async (request) => {
    await bot.handleUpdate(request.update as never)
    return { status: 200 }
  })
  await emulator.setWebhook({ url: receiver.url, secretToken: 'local_secret' })
}

interface Captured extends ChatIo {
  lines: string[]
  errors: string[]
}

function capture (): Captured {
  const lines: string[] = []
  const errors: string[] = []
  return { lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line) }
}

async function runtimeFileFor (t: Test, content: unknown): Promise<string> {
  const dir = t.testdir()
  const file = join(dir, 'runtime.json')
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content))
  return file
}

function deps (runtimeFile: string, overrides: Partial<MainDeps> = {}): MainDeps {
  const output = new PassThrough()
  output.resume()
  return { runtimeFile, streams: { input: new PassThrough(), output, pollSeconds: 1 }, timing: { maxWaitMs: 3000, quietMs: 250 }, ...overrides }
}

t.test('parseChatArgs', async (t) => {
  t.same(parseChatArgs([]), { group: false, admin: false, caption: false, userId: 1001, firstName: 'Dev User', help: false })
  t.same(parseChatArgs(['--group', '--admin', '--user', '77', '--name', ' Ann ', '--username', '@ann_dev', '--emulator', 'http://127.0.0.1:3001', '/register', 'demo', 'demo-token']), {
    emulatorUrl: 'http://127.0.0.1:3001', group: true, admin: true, caption: false, userId: 77, firstName: 'Ann', username: 'ann_dev', message: '/register demo demo-token', help: false
  })
  t.match(parseChatArgs(['--group', '--as', 'forward', '--caption']), { as: 'forward', caption: true })
  t.equal(parseChatArgs(['/register demo demo-token']).message, '/register demo demo-token')
  t.equal(parseChatArgs(['-h']).help, true)
  const refusals: Array<[string[], RegExp]> = [
    [['--user', 'abc'], /--user needs a positive integer/],
    [['--user', '0'], /--user needs a positive integer/],
    [['--name', '  '], /--name needs 1 to 64 characters/],
    [['--username', 'x'], /--username needs 5 to 32 characters/],
    [['--admin'], /--admin applies to --group chats only/],
    [['--as', 'channel'], /--as applies to --group chats only/],
    [['--group', '--as', 'ghost'], /--as needs one of anonymous-admin, channel, forward, got "ghost"/],
    [['--verbose'], /^unknown option --verbose \(npm run chat -- --help lists the options\)$/]
  ]
  for (const [argv, message] of refusals) {
    t.throws(() => parseChatArgs(argv), { name: 'ChatUsageError', message }, argv.join(' '))
  }
  t.ok(new ChatUsageError('x') instanceof Error)
})

t.test('findEmulatorUrl: --emulator, else the runtime file; one clear line when neither works', async (t) => {
  t.equal(await findEmulatorUrl({ emulatorUrl: 'http://127.0.0.1:3001/', runtimeFile: 'unused' }), 'http://127.0.0.1:3001')
  await t.rejects(findEmulatorUrl({ emulatorUrl: 'ftp://x', runtimeFile: 'unused' }), { name: 'ChatSetupError', message: '--emulator needs an http(s) URL, got "ftp://x"' })
  t.equal(await findEmulatorUrl({ runtimeFile: await runtimeFileFor(t, { emulatorUrl: 'http://127.0.0.1:3001', botUsername: 'b' }) }), 'http://127.0.0.1:3001')

  const missing = join(t.testdir(), 'runtime.json')
  await t.rejects(findEmulatorUrl({ runtimeFile: missing }), {
    name: 'ChatSetupError',
    message: `No local runtime found (${missing} is missing): run \`npm start\` first, then \`npm run chat\` again.`
  })
  for (const content of ['{not json', { botUsername: 'b' }, { emulatorUrl: 'not a url' }]) {
    await t.rejects(findEmulatorUrl({ runtimeFile: await runtimeFileFor(t, content) }), { name: 'ChatSetupError', message: /names no Telegram emulator/ })
  }
  await t.rejects(findEmulatorUrl({ runtimeFile: t.testdir() }), { name: 'ChatSetupError', message: /^cannot read / })
})

t.test('one-shot: sends the message, prints the replies, exits 0', async (t) => {
  const emulator = await startFakeTelegram(t)
  await startSimulatedBot(t, emulator)
  const runtimeFile = await runtimeFileFor(t, { emulatorUrl: emulator.url, botUsername: emulator.botUsername })

  t.test('a private /register', async (t) => {
    const io = capture()
    t.equal(await main(['/register demo demo-token'], io, deps(runtimeFile)), 0)
    t.same(io.lines, ['bot> Registration successful! Welcome demo'])
    t.same(io.errors, [])
    const [sent] = emulator.chatMessages(1001)
    t.match(sent, { text: '/register demo demo-token', from: { id: 1001, first_name: 'Dev User', is_bot: false }, chat: { id: 1001, type: 'private' } })
  })

  t.test('several replies, multi-line ones indented; earlier conversation not repeated', async (t) => {
    const io = capture()
    t.equal(await main(['two', '--user', '2002', '--name', 'Zoe', '--username', 'zoe_dev'], io, deps(runtimeFile)), 0)
    t.same(io.lines, ['bot> first\n     second line', 'bot> third'])
    const again = capture()
    t.equal(await main(['hello', '--user', '2002'], again, deps(runtimeFile)), 0)
    t.same(again.lines, ['bot> you said: hello'])
    t.match(emulator.chatMessages(2002)[0]?.from, { first_name: 'Zoe', username: 'zoe_dev' })
  })

  t.test('in the group, addressed to the bot, with the bot as admin: the deletion is noted', async (t) => {
    const io = capture()
    t.equal(await main(['--group', '--admin', '--emulator', emulator.url, `/register@${emulator.botUsername} demo demo-token`], io, deps('unused')), 0)
    t.same(io.lines.sort(), [DELETED_NOTE, 'bot> Registration successful! Welcome demo'].sort())
    t.same(emulator.deletedMessageIds(GROUP_CHAT.id), [1])
    t.match(emulator.chatMessages(GROUP_CHAT.id)[0]?.chat, { id: -1001, type: 'group', title: 'Local dev group' })
  })

  t.test('in the group without admin rights the command stays', async (t) => {
    const io = capture()
    t.equal(await main(['--group', '--user', '3003', '/register demo demo-token'], io, deps(runtimeFile)), 0)
    t.same(io.lines, ['bot> Registration successful! Welcome demo'])
  })

  t.test('no reply within the limit: exit 1 with a message', async (t) => {
    const io = capture()
    const started = Date.now()
    t.equal(await main(['silent'], io, deps(runtimeFile, { timing: { maxWaitMs: 1000, quietMs: 100 } })), 1)
    t.ok(Date.now() - started >= 950, 'waited for the limit')
    t.same(io.lines, [])
    t.same(io.errors, ['The local runtime did not process this message within 1 s although its webhook accepted it: is `npm start` still running? Check its log.'], 'this bot reports nothing to the emulator, as a runtime that is not processing')
  })

  t.test('the emulator refuses bad input with its reason', async (t) => {
    const io = capture()
    t.equal(await main(['x'.repeat(5000)], io, deps(runtimeFile)), 1)
    t.match(io.errors, [/^The emulator refused POST \/emulator\/messages: 400 body\/text must not have more than 4096 characters/])
  })
})

t.test('setup problems: one line, exit 1', async (t) => {
  const missingRuntime = capture()
  const runtimeFile = join(t.testdir(), 'runtime.json')
  t.equal(await main(['hello'], missingRuntime, deps(runtimeFile)), 1)
  t.same(missingRuntime.errors, [`No local runtime found (${runtimeFile} is missing): run \`npm start\` first, then \`npm run chat\` again.`])

  const port = await closedPort()
  const unreachable = capture()
  t.equal(await main(['hello'], unreachable, deps(await runtimeFileFor(t, { emulatorUrl: `http://127.0.0.1:${port}` }))), 1)
  t.same(unreachable.errors, [`Cannot reach the Telegram emulator at http://127.0.0.1:${port}: is \`npm start\` still running?`])

  const notAnEmulator = await startWebhookReceiver(t)
  const wrong = capture()
  t.equal(await main(['hello', '--emulator', new URL(notAnEmulator.url).origin], wrong, deps('unused')), 1)
  t.same(wrong.errors, ['The emulator refused GET /emulator/info: 400 Bad Request'], 'a server that is not the emulator')

  const usage = capture()
  t.equal(await main(['--user', 'nope'], usage, deps(runtimeFile)), 1)
  t.same(usage.errors, ['error: --user needs a positive integer id, got "nope"'], 'one line, not the whole usage')
  const help = capture()
  t.equal(await main(['--help'], help, deps(runtimeFile)), 0)
  t.same(help.lines, [USAGE])

  const emulator = await startFakeTelegram(t)
  await t.rejects(main(['--emulator', emulator.url], capture(), { streams: { input: undefined as never, output: new PassThrough() } }), TypeError, 'a bug is not disguised as a setup problem')
  t.ok(new ChatSetupError('x') instanceof Error)
})

t.test('interactive: each line is sent; replies and deletions are printed as they arrive', async (t) => {
  const emulator = await startFakeTelegram(t)
  await startSimulatedBot(t, emulator)
  const runtimeFile = await runtimeFileFor(t, { emulatorUrl: emulator.url })
  // An earlier session's reply: not printed again.
  emulator.sendUserMessage({ chat: GROUP_CHAT, from: { id: 1001, first_name: 'Dev User' }, text: 'earlier' })
  await emulator.waitForBotMessages(GROUP_CHAT.id, 1)

  const io = capture()
  const options = deps(runtimeFile)
  const input = options.streams.input as PassThrough
  const done = main(['--group', '--admin'], io, options)
  await until(() => io.lines.length > 0, 'the banner')
  t.equal(io.lines[0], `Chatting with @${emulator.botUsername} as Dev User (user 1001) in the group "Local dev group" (-1001); commands may be addressed as /command@${emulator.botUsername}. Ctrl+D quits.`)

  input.write('hello there\n\n')
  await until(() => io.lines.includes('bot> you said: hello there'), 'the echo')
  input.write('/register demo demo-token\n')
  await until(() => io.lines.includes('bot> Registration successful! Welcome demo') && io.lines.includes(DELETED_NOTE), 'the registration and the deletion')
  input.write(`${'x'.repeat(5000)}\n`)
  await until(() => io.errors.length > 0, 'the refusal')
  t.match(io.errors, [/^The emulator refused POST \/emulator\/messages: 400/])
  input.end()
  t.equal(await done, 0)
  t.same(io.lines.slice(1), ['bot> you said: hello there', 'bot> Registration successful! Welcome demo', DELETED_NOTE].sort((a, b) => io.lines.indexOf(a) - io.lines.indexOf(b)))
  t.notOk(io.lines.includes('bot> you said: earlier'))
  t.same(emulator.chatMessages(GROUP_CHAT.id).filter((message) => message.from?.is_bot === false).map((message) => message.text),
    ['earlier', 'hello there', '/register demo demo-token'], 'the empty line was not sent')
})

t.test('interactive with piped input: the lines are sent, and the replies awaited before exiting', async (t) => {
  const emulator = await startFakeTelegram(t)
  await startSimulatedBot(t, emulator)
  const io = capture()
  const options = deps('unused')
  const input = options.streams.input as PassThrough
  input.end('hello\n/register demo demo-token\n')
  t.equal(await main(['--emulator', emulator.url, '--user', '4004'], io, options), 0)
  t.same(io.lines.slice(1), ['bot> you said: hello', 'bot> Registration successful! Welcome demo'])

  const silent = capture()
  const quiet = deps('unused', { timing: { maxWaitMs: 300, quietMs: 50 } })
  ;(quiet.streams.input as PassThrough).end('silent\n')
  const started = Date.now()
  t.equal(await main(['--emulator', emulator.url, '--user', '4005'], silent, quiet), 0)
  t.ok(Date.now() - started >= 290, 'waited up to the limit for an answer that never came')
  t.same(silent.lines.length, 1, 'the banner only')
})

t.test('interactive in a terminal: the prompt line is cleared and redrawn; Ctrl+C quits', async (t) => {
  const emulator = await startFakeTelegram(t)
  await startSimulatedBot(t, emulator)
  const input = new PassThrough()
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 80 })
  let written = ''
  output.on('data', (chunk: Buffer) => { written += chunk.toString('utf8') })
  const io = capture()
  const done = main(['--emulator', emulator.url], io, { streams: { input, output, pollSeconds: 1 } })
  await until(() => io.lines.length > 0, 'the banner')
  t.match(io.lines[0], /in a private chat\. Ctrl\+D quits\.$/)
  input.write('hi\r')
  await until(() => io.lines.includes('bot> you said: hi'), 'the echo')
  t.match(written, /you> /)
  t.ok(written.includes('\r\x1b[2K'), 'the prompt line was cleared before the reply')
  input.write('\x03')
  t.equal(await done, 0)
})

t.test('interactive: losing the emulator ends the chat with exit 1', async (t) => {
  const emulator = await startFakeTelegram(t)
  const io = capture()
  const output = new PassThrough()
  output.resume()
  const done = main(['--emulator', emulator.url], io, { streams: { input: new PassThrough(), output, pollSeconds: 1 } })
  await until(() => io.lines.length > 0, 'the banner')
  await emulator.close()
  t.equal(await done, 1)
  t.same(io.errors, [`Cannot reach the Telegram emulator at ${emulator.url}: is \`npm start\` still running?`])
})

t.test('formatBotMessage and the client', async (t) => {
  t.equal(formatBotMessage({ message_id: 1, date: 0, chat: { id: 1, type: 'private' } }), 'bot> (a message without text)')
  const emulator = await startFakeTelegram(t)
  const client = new EmulatorClient(emulator.url)
  t.same(await client.info(), { botId: emulator.botId, botUsername: emulator.botUsername, botFirstName: emulator.bot.first_name })
  await client.setBotAdmin(-5, true)
  const update = await client.send({ chat: { id: -5, type: 'supergroup', title: 'S' }, from: { id: 1, first_name: 'A' }, text: 'hi' })
  t.match(update, { message: { chat: { id: -5, type: 'supergroup', title: 'S' }, text: 'hi' } })
  t.same(await client.poll(-5, { after: 0, waitSeconds: 0 }), { messages: [], deleted_message_ids: [] })
})

t.test('one-shot through the local runtime: the help, "no answer", the delete-your-message note, the apology after retries', async (t) => {
  const runtime = await startRuntime(t, { DEV_ACCOUNTS: 'demo:demo-token' })
  const { emulator, app } = runtime
  const chat = async (argv: string[], timing?: MainDeps['timing']): Promise<{ code: number, io: Captured }> => {
    const io = capture()
    const code = await main(['--emulator', emulator.url, ...argv], io, deps('unused', timing === undefined ? {} : { timing }))
    return { code, io }
  }

  const start = await chat(['/start'])
  t.same(start, { code: 0, io: { ...start.io, lines: [formatBotMessage({ message_id: 0, date: 0, chat: { id: 1001, type: 'private' }, text: helpText(commands) })], errors: [] } })
  t.match(start.io.lines[0], /\/register \[username\] \[token\]/, '/start names /register')
  const deepLink = await chat(['--user', '1002', '/start register'])
  t.same(deepLink.io.lines, [`bot> ${BOT_TEXTS.registerHere('/register [username] [token]')}`])

  const silent = await chat(['--user', '1003', 'hello, is anyone there?'])
  t.same([silent.code, silent.io.lines, silent.io.errors], [0, [NO_ANSWER_NOTE], []], 'processed without an answer: said so, exit 0, no blame on the runtime')

  const group = await chat(['--group', '--user', '1004', '/register demo demo-token'])
  t.same([group.code, group.io.lines], [0, ['bot> Registration successful! Welcome demo', `bot> ${TEXTS.deleteYourMessage(emulator.botUsername).split('\n').join('\n     ')}`]])
  const admin = await chat(['--group', '--admin', '--user', '1005', '/register demo demo-token'])
  t.same(admin.io.lines.sort(), [DELETED_NOTE, 'bot> Registration successful! Welcome demo'].sort(), 'where deletion worked, nothing extra')

  for (const sender of ['anonymous-admin', 'channel', 'forward']) {
    const shared = await chat(['--group', '--admin', '--as', sender, '/register demo demo-token'])
    t.same([shared.code, shared.io.lines.sort()], [0, [DELETED_NOTE, `bot> ${TEXTS.ownAccount}`].sort()], `--as ${sender}: deleted, told to use their own account`)
  }
  const caption = await chat(['--group', '--admin', '--caption', '--user', '1007', '/register demo demo-token'])
  t.same(caption.io.lines.sort(), [DELETED_NOTE, 'bot> Registration successful! Welcome demo'].sort(), 'a caption /register: deleted and answered')
  t.match(emulator.chatMessages(GROUP_CHAT.id).filter((message) => message.from?.id === 1007), [{ caption: '/register demo demo-token', photo: [{}] }])
  const rtl = await chat(['--user', '1008', '/register de\u202Emo demo-token'])
  t.same(rtl.io.lines, [`bot> ${REPLIES.malformed}`])

  const failing = 1006
  injectStoreFaults(app, (request) => request.telegramUserId === failing ? { error: new TransientError('database unreachable') } : undefined)
  const retried = await chat(['--user', String(failing), '/register demo demo-token'], { maxWaitMs: 3000, quietMs: 300, retryWaitMs: 45_000 })
  t.equal(retried.code, 0)
  t.equal(retried.io.lines[0], retryingNote(1, 45_000), 'the first failure is noted, and the wait extended')
  t.equal(retried.io.lines.at(-1), `bot> ${APOLOGY}`, 'then the dead-letter apology, which the CLI waited for')
  t.ok(retried.io.lines.length >= 3, 'each further failed attempt noted')
})

t.test('interactive through the local runtime: a message with no answer, and one that fails and is retried, say so', async (t) => {
  const runtime = await startRuntime(t, { DEV_ACCOUNTS: 'demo:demo-token' })
  const { emulator, app } = runtime
  const failing = 2002
  injectStoreFaults(app, (request) => request.telegramUserId === failing ? { error: new TransientError('database unreachable') } : undefined)
  const piped = async (user: number, lines: string): Promise<Captured> => {
    const io = capture()
    const options = deps('unused', { timing: { maxWaitMs: 4000, quietMs: 300 } })
    ;(options.streams.input as PassThrough).end(lines)
    t.equal(await main(['--emulator', emulator.url, '--user', String(user)], io, options), 0)
    return io
  }

  // Typed one at a time, each after the bot has answered the last: the unanswered one is noted.
  const io = capture()
  // A limit far above any wait under load, so ending before it is told from waiting it out.
  const options = deps('unused', { timing: { maxWaitMs: 30_000, quietMs: 300 } })
  const input = options.streams.input as PassThrough
  const done = main(['--emulator', emulator.url, '--user', '2001'], io, options)
  input.write('/register demo demo-token\n')
  await until(() => io.lines.includes('bot> Registration successful! Welcome demo'), 'the registration')
  input.write('hello, is anyone there?\n')
  await until(() => io.lines.includes(NO_ANSWER_NOTE), 'the note')
  const ended = Date.now()
  input.end()
  t.equal(await done, 0)
  t.ok(Date.now() - ended < 15_000, 'the chat ends once the last message is decided, without waiting out the 30 s limit')
  t.same(io.lines.slice(1), ['bot> Registration successful! Welcome demo', NO_ANSWER_NOTE])
  // Sent together, a reply may answer either message, so no note is made up: the chat waits out the limit.
  const together = await piped(2003, '/register demo demo-token\nhello\n')
  t.same(together.lines.slice(1), ['bot> Registration successful! Welcome demo'], 'no "no answer" note for either')

  const retried = await piped(failing, '/register demo demo-token\n')
  t.equal(retried.lines[1], retryingNote(1), 'the failure is noted, without a wait: the chat goes on')
  t.same(retried.errors, [])
})

t.test('one-shot: a runtime whose worker is not processing, and a webhook that does not accept, are told apart', async (t) => {
  const pipeline = await startPipeline(t)
  const notProcessing = capture()
  t.equal(await main(['--emulator', pipeline.runtime.emulator.url, 'hello'], notProcessing, deps('unused', { timing: { maxWaitMs: 1500, quietMs: 100 } })), 1)
  t.same(notProcessing.errors, ['The local runtime did not process this message within 2 s although its webhook accepted it: is `npm start` still running? Check its log.'])

  const noWebhook = await startFakeTelegram(t)
  const undelivered = capture()
  t.equal(await main(['--emulator', noWebhook.url, 'hello'], undelivered, deps('unused', { timing: { maxWaitMs: 1000, quietMs: 100 } })), 1)
  t.same(undelivered.errors, ["The bot's webhook did not accept this message within 1 s: is `npm start` still running? Check its log."])
  t.equal(nothingHappened({ update_id: 1, pending: true, attempts: [], last_webhook_error: 'Connection refused' }, 2000), "The bot's webhook did not accept this message within 2 s (last webhook error: Connection refused): is `npm start` still running? Check its log.")
  t.equal(nothingHappened({ update_id: 1, pending: false, attempts: [{ outcome: 'failed', at: 0 }, { outcome: 'dead-lettered', at: 1 }] }, 2000), 'The update was dead-lettered and the bot sent no apology: check the log of `npm start`.')
})

t.test('one-shot, privacy mode on: a group message Telegram would not deliver says so at once, exit 0', async (t) => {
  const emulator = await startFakeTelegram(t, { privacyMode: true })
  await startSimulatedBot(t, emulator)
  const runtimeFile = await runtimeFileFor(t, { emulatorUrl: emulator.url, botUsername: emulator.botUsername })
  const io = capture()
  t.equal(await main(['--group', 'hello everyone'], io, deps(runtimeFile)), 0)
  t.same(io.lines, ['(Telegram does not deliver this message to the bot: privacy mode: in a group the bot receives only commands meant for it, replies to its messages and mentions of it)'])
  t.same(io.errors, [])
  const command = capture()
  t.equal(await main(['--group', '--user', '3004', '/register demo demo-token'], command, deps(runtimeFile)), 0)
  t.same(command.lines, ['bot> Registration successful! Welcome demo'], 'a command still reaches it')
})
