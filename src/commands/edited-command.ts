import type { BotCommand, MessageInvocation } from './command.js'
import { replyOnce } from './reply-once.js'

/** The answer to an edited command: the edit is not acted on, and the user learns what to do instead. */
export const editedCommandReply = (command: BotCommand): string =>
  `I do not read edited messages. Please send /${command.name} again as a new message.`

/**
 * An edit of a message that holds one of the bot's commands: answered once per edited update (the
 * ledger's reply step), never run, so that an edit neither repeats a command nor goes unanswered. The
 * command may surround the answer (/register removes the message, which shows its token again).
 */
export async function answerEditedCommand (command: BotCommand, invocation: MessageInvocation): Promise<void> {
  const answer = async (): Promise<void> => {
    const sent = await replyOnce(invocation, editedCommandReply(command))
    invocation.log.info({ answeredBefore: !sent }, 'edited command: answered, not run')
  }
  await (command.aroundEditAnswer ?? (async (_invocation, run) => { await run() }))(invocation, answer)
}
