/** The README quotes the bot: every quoted reply must be the code's text, word for word. */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t from 'tap'
// Where the bot's texts are exported: the one place to change when a text moves to another module.
import { BOT_TEXTS } from '../src/commands/bot-texts.js'
import { helpText } from '../src/commands/help.js'
import { commands } from '../src/commands/index.js'
import { register, REPLIES, TEXTS } from '../src/commands/register.js'
import { APOLOGY } from '../src/worker/dead-letter.js'
import { DELETED_NOTE, NO_ANSWER_NOTE } from '../scripts/lib/chat-cli.js'

const README = readFileSync(join(resolve(import.meta.dirname, '..'), 'README.md'), 'utf8')
/** The emulator's bot and the demo account, as the transcript shows them. */
const BOT = 'local_register_bot'
const USERNAME = 'demo'

/** Everything the bot may say in the transcript, from the code. */
const REPLY_TEXTS = [
  REPLIES.registered(USERNAME), REPLIES.rejected, REPLIES.malformed,
  TEXTS.ownAccount, TEXTS.deleteYourMessage(BOT), BOT_TEXTS.registerHere(register.usage), helpText(commands), APOLOGY
]
/** What `npm run chat` itself says about a message, in parentheses. */
const CHAT_NOTES = [DELETED_NOTE, NO_ANSWER_NOTE]

function section (heading: string): string {
  const start = README.indexOf(`\n${heading}\n`)
  if (start === -1) throw new Error(`README has no section ${heading}`)
  const end = README.indexOf('\n## ', start + heading.length + 2)
  return README.slice(start, end === -1 ? undefined : end)
}

/** The first session: the Quick start's fenced blocks of commands and what they printed (`npm start`'s terminal, the chat's). */
function transcript (): string[] {
  const blocks = section('## Quick start').split('```').filter((_, index) => index % 2 === 1)
  const session = blocks.filter((text) => /^\$ /m.test(text))
  if (!session.some((text) => /^\$ .*npm start/m.test(text)) || !session.some((text) => /^bot> /m.test(text))) throw new Error('README has no transcript of npm start and the chat')
  return session.join('\n').split('\n')
}

/** Each `bot>` message of the transcript, its indented continuation lines joined back (chat-cli's formatBotMessage). */
function botMessages (lines: readonly string[]): string[] {
  const messages: string[][] = []
  let current: string[] | undefined
  for (const line of lines) {
    if (line.startsWith('bot> ')) messages.push(current = [line.slice('bot> '.length)])
    else if (current !== undefined && (line === '' || line.startsWith('     '))) current.push(line.slice(5))
    else current = undefined
  }
  return messages.map((message) => message.join('\n').trimEnd())
}

t.test("every reply in the README's transcript is the code's text", async (t) => {
  const lines = transcript()
  const replies = botMessages(lines)
  t.ok(replies.length >= 8, `the transcript has the session's replies (${replies.length})`)
  for (const reply of replies) t.ok(REPLY_TEXTS.includes(reply), `a text of the code: ${reply}`, { reply, texts: REPLY_TEXTS })
  const notes = lines.filter((line) => /^\(.*\)$/.test(line))
  t.ok(notes.length >= 1, 'the chat notes are shown')
  for (const note of notes) t.ok(CHAT_NOTES.includes(note), `a note of npm run chat: ${note}`)
})

t.test('the transcript is one run: the banner shows the ports of the PORT it was started with', async (t) => {
  const lines = transcript()
  const start = lines.find((line) => line.startsWith('$ ') && line.includes('npm start'))
  const port = Number(/PORT=(\d+)/.exec(start ?? '')?.[1] ?? 3000)
  t.match(lines.find((line) => /^ {2}Webhook {2,}/.test(line)), `http://127.0.0.1:${port}/telegram/webhook`)
  t.match(lines.find((line) => /^ {2}Telegram {2,}/.test(line)), `http://127.0.0.1:${port + 1} `)
})

t.test('"What the bot answers" quotes each text as the code has it', async (t) => {
  const quoted = section('## What the bot answers')
  // The section's placeholders stand where the code puts a username, the bot's name and a usage.
  const expected = [
    REPLIES.registered('<username>'), REPLIES.rejected, REPLIES.malformed, BOT_TEXTS.about, 'Commands:',
    BOT_TEXTS.registerHere(register.usage), TEXTS.ownAccount, TEXTS.deleteYourMessage('<bot>')
  ]
  for (const text of expected) t.ok(quoted.includes(`\`${text}\``), `quoted: ${text}`)
})
