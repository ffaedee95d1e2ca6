/** Telegram's privacy mode as the emulator models it (src/local/telegram-emulator/privacy.ts). */
import t from 'tap'
import type { TelegramEmulator, UserMessageInput } from '../../src/local/telegram-emulator.js'
import { startFakeTelegram } from '../support/telegram.js'

const group = { id: -4001, type: 'group' as const, title: 'Privacy group' }
const ann = { id: 501, first_name: 'Ann' }

/** Whether the bot would receive the message: queued for it (no webhook here, so it stays pending), or withheld. */
function received (emulator: TelegramEmulator, input: UserMessageInput): boolean {
  const { update_id: updateId } = emulator.sendUserMessage(input)
  const status = emulator.updateStatus(updateId)
  if (status.pending === (status.withheld !== undefined)) throw new Error(`update ${updateId} is both pending and withheld, or neither`)
  return status.pending
}

async function botSays (emulator: TelegramEmulator, chatId: number, text: string): Promise<number> {
  const response = await fetch(`${emulator.url}/bot${emulator.token}/sendMessage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: chatId, text }) })
  const body = await response.json() as { result: { message_id: number } }
  return body.result.message_id
}

async function getMe (emulator: TelegramEmulator): Promise<{ can_read_all_group_messages: boolean }> {
  const response = await fetch(`${emulator.url}/bot${emulator.token}/getMe`)
  return (await response.json() as { result: { can_read_all_group_messages: boolean } }).result
}

t.test('privacy mode on: in a group, only commands for the bot, replies to it and mentions of it', async (t) => {
  const emulator = await startFakeTelegram(t, { privacyMode: true })
  const bot = emulator.botUsername
  t.equal((await getMe(emulator)).can_read_all_group_messages, false, 'getMe says so')

  t.equal(received(emulator, { chat: group, from: ann, text: 'just chatting' }), false, 'a plain message is withheld')
  t.match(emulator.updateStatus(emulator.sendUserMessage({ chat: group, from: ann, text: 'again' }).update_id).withheld, /^privacy mode: /, 'with its reason')
  t.equal(received(emulator, { chat: group, from: ann, caption: 'a photo' }), false, 'a captioned photo without a command too')
  t.equal(received(emulator, { chat: group, from: ann, text: `/register@${bot.toUpperCase()} demo demo-token` }), true, 'a command addressed to it (any case)')
  t.equal(received(emulator, { chat: group, from: ann, caption: `/register@${bot} demo demo-token` }), true, 'in a caption too')
  t.equal(received(emulator, { chat: group, from: ann, text: '/register@other_bot demo demo-token' }), false, 'a command for another bot is not its')
  t.equal(received(emulator, { chat: group, from: ann, text: '/register demo demo-token' }), true, 'a general command while no other bot has written')
  t.equal(received(emulator, { chat: group, from: ann, text: 'see /register for details' }), false, 'a command not at the start is no command')
  t.equal(received(emulator, { chat: group, from: ann, text: `hello @${bot}` }), true, 'a mention of it')
  t.equal(received(emulator, { chat: group, from: ann, text: 'hello @other_bot' }), false, 'a mention of someone else')

  const botMessage = await botSays(emulator, group.id, 'Registration successful!')
  t.equal(received(emulator, { chat: group, from: ann, text: 'thanks', reply_to_message_id: botMessage }), true, 'a reply to its message')
  const annMessage = emulator.sendUserMessage({ chat: group, from: ann, text: `/start@${bot}` }).message.message_id
  t.equal(received(emulator, { chat: group, from: { id: 502, first_name: 'Ben' }, text: 'me too', reply_to_message_id: annMessage }), false, 'a reply to someone else')

  // Another bot writes after ours: a general command is now that bot's (Telegram: "the last bot to send a message").
  emulator.sendUserMessage({ chat: group, from: { id: 999, first_name: 'Other', username: 'other_bot', is_bot: true }, text: 'I am a bot too' })
  t.equal(received(emulator, { chat: group, from: ann, text: '/register demo demo-token' }), false, 'a general command after another bot spoke')
  t.equal(received(emulator, { chat: group, from: ann, text: `/register@${bot} demo demo-token` }), true, 'addressed to it, still its')
  await botSays(emulator, group.id, 'here')
  t.equal(received(emulator, { chat: group, from: ann, text: '/register demo demo-token' }), true, 'its again once it spoke last')

  t.equal(received(emulator, { from: ann, text: 'just chatting' }), true, 'private chats are never filtered')
  emulator.setBotAdmin(group.id)
  t.equal(received(emulator, { chat: group, from: ann, text: 'just chatting' }), true, 'an administrator receives every message')
})

t.test('privacy mode off (the default): every group message, and getMe says so', async (t) => {
  const emulator = await startFakeTelegram(t)
  t.equal((await getMe(emulator)).can_read_all_group_messages, true)
  t.equal(received(emulator, { chat: group, from: ann, text: 'just chatting' }), true)
  t.equal(received(emulator, { chat: group, from: ann, text: '/register@other_bot demo demo-token' }), true, 'the bot decides itself what is not for it')
})

t.test('an update type the webhook\'s allowed_updates leave out is withheld with that reason', async (t) => {
  const emulator = await startFakeTelegram(t)
  await emulator.setWebhook({ url: 'http://127.0.0.1:9/telegram/webhook', allowedUpdates: ['callback_query'] })
  const { update_id: updateId } = emulator.sendUserMessage({ from: ann, text: 'hi' })
  t.match(emulator.updateStatus(updateId), { pending: false, withheld: 'its type message is not in the webhook\'s allowed_updates' })
})
