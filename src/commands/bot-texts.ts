/** The bot's own texts, for every command: a command keeps only its own texts in its module. */
export const BOT_TEXTS = {
  /** The first line of /help and /start. */
  about: 'I link your Telegram account to your platform account.',
  /** The answer to /start register (the deep link that /register's group note points to). */
  registerHere: (usage: string) => `To link your Telegram account to your platform account, send me here: ${usage}`,
  /** To a private-only command sent in a group: its arguments are not read. */
  privateChatOnly: (commandName: string, botUsername: string) => `Please send /${commandName} to me in a private chat: https://t.me/${botUsername}`
} as const
