import t from 'tap'
import { commandForBotIn, parseCommand } from '../../src/telegram/command-text.js'

t.test('a command: its name in lower case, the bot it is addressed to, its arguments', async (t) => {
  t.same(parseCommand('  /Register@Some_Bot  demo   tok  '), { name: 'register', addressee: 'Some_Bot', args: ['demo', 'tok'] })
  t.same(parseCommand('/help'), { name: 'help', addressee: undefined, args: [] })
  t.equal(parseCommand('hello /help'), undefined, 'only at the start')
})

t.test('the command a raw update holds for a bot: messages and edits, by text or caption, unaddressed or addressed to it', async (t) => {
  const message = (fields: Record<string, unknown>): { update_id: number, message: Record<string, unknown> } => ({ update_id: 1, message: { message_id: 1, ...fields } })
  t.match(commandForBotIn(message({ text: '/help' }), 'our_bot'), { name: 'help' })
  t.match(commandForBotIn(message({ caption: '/help@Our_Bot' }), 'our_bot'), { name: 'help' }, 'the username in any case')
  t.match(commandForBotIn({ update_id: 2, edited_message: { text: '/start' } }, 'our_bot'), { name: 'start' })
  t.equal(commandForBotIn(message({ text: '/help@other_bot' }), 'our_bot'), undefined, 'another bot\'s')
  t.match(commandForBotIn(message({ text: '/help@other_bot' }), undefined), { name: 'help' }, 'any bot\'s when the username is not known')
  t.equal(commandForBotIn(message({ text: 'no command here' }), 'our_bot'), undefined)
  t.equal(commandForBotIn(message({ photo: [] }), 'our_bot'), undefined, 'neither text nor caption')
  t.equal(commandForBotIn({ update_id: 3, callback_query: { data: '/help' } }, 'our_bot'), undefined, 'not a message')
  t.equal(commandForBotIn({ update_id: 4, message: 'not an object' }, 'our_bot'), undefined)
})
