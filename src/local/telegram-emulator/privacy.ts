import type { TgBotUser, TgMessage, TgMessageEntity } from './types.js'

/**
 * Telegram's privacy mode, for a message a user wrote in a group (core.telegram.org/bots/features#privacy-mode
 * and the Bot FAQ "What messages will my bot get?"). A bot in privacy mode that is not an administrator
 * of the group receives only:
 * - commands meant for it explicitly (`/command@this_bot`);
 * - general commands (`/start`) if it was the last bot to send a message to the group (here: no other
 *   bot wrote there after it, which holds in a group where it is the only bot);
 * - replies to its messages;
 * - messages that mention it by username (how BotFather describes the mode).
 * Service messages, private chats and channels are not filtered (this emulator makes none of the first
 * and the last). With privacy mode off, or as an administrator, the bot receives every group message.
 * Returns why the message is withheld, or undefined when the bot receives it.
 */
export function withheldByPrivacyMode (message: TgMessage, bot: TgBotUser, lastBotSenderId: number | undefined): string | undefined {
  const text = message.text ?? message.caption ?? ''
  const entities: TgMessageEntity[] = message.entities ?? message.caption_entities ?? []
  const username = bot.username.toLowerCase()
  const command = entities.find((entity) => entity.type === 'bot_command' && entity.offset === 0)
  if (command !== undefined) {
    const addressee = text.slice(0, command.length).split('@')[1]?.toLowerCase()
    if (addressee === username) return undefined
    if (addressee === undefined && (lastBotSenderId === undefined || lastBotSenderId === bot.id)) return undefined
  }
  if (message.reply_to_message?.from?.id === bot.id) return undefined
  const mentioned = entities.some((entity) => entity.type === 'mention' && text.slice(entity.offset + 1, entity.offset + entity.length).toLowerCase() === username)
  if (mentioned) return undefined
  return 'privacy mode: in a group the bot receives only commands meant for it, replies to its messages and mentions of it'
}
