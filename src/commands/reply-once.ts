import type { MessageInvocation } from './command.js'

/**
 * Sends a command's reply unless the update ledger says it was confirmed sent before (a redelivered
 * update): one answer per update. Resolves to whether it was sent now, so that what is counted per
 * answer is counted once.
 */
export async function replyOnce ({ ctx, app }: Pick<MessageInvocation, 'ctx' | 'app'>, text: string): Promise<boolean> {
  const { remembered } = await app.updateLedger.once(ctx.update.update_id, 'reply', async () => { await ctx.reply(text); return 'sent' })
  return !remembered
}
