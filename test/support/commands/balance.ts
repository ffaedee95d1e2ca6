import type { BotCommand } from '../../../src/commands/command.js'
import { callDatabase } from '../../../src/commands/call-database.js'
import { replyOnce } from '../../../src/commands/reply-once.js'
import { sql, type DatabaseContract } from '../../../src/db/contract.js'

/** A second command that exists only in the tests (issue 17): it reads one row from a stored procedure. */

export interface Balance { currency: string, amount: string }

/** The sender's balance: one row, or no row when the Telegram user is linked to no account. */
export const balanceContract: DatabaseContract<{ telegramUserId: number }, Balance | undefined> = {
  name: 'dbo.PartyBalance_GET_tr',
  kind: 'procedure',
  parameters: [{ name: 'TelegramUserId', type: sql.bigint(), from: (input) => input.telegramUserId }],
  resultColumns: [
    { name: 'Currency', type: sql.nvarchar(3), nullable: false },
    { name: 'Amount', type: sql.decimal(18, 2), nullable: false }
  ],
  effect: 'reads',
  outcome: ({ rows: [row] }) => row === undefined ? undefined : { currency: String(row.Currency), amount: String(row.Amount) }
}

export const BALANCE_REPLIES = {
  balance: ({ currency, amount }: Balance) => `Your balance: ${amount} ${currency}`,
  unregistered: 'Your Telegram account is not linked yet: send /register [username] [token] first.'
} as const

/** `/balance`: the sender's balance, read from the platform. */
export const balance: BotCommand<'balance' | 'unregistered'> = {
  name: 'balance',
  description: 'Your balance on the platform',
  usage: '/balance',
  inGroups: 'when-addressed',
  outcomes: ['balance', 'unregistered'],
  contracts: [balanceContract],
  local: async () => (await import('./balance.local.js')).local,
  async handle (invocation) {
    const { outcome } = await callDatabase(invocation, balanceContract, { telegramUserId: invocation.ctx.from.id })
    const sent = await replyOnce(invocation, outcome === undefined ? BALANCE_REPLIES.unregistered : BALANCE_REPLIES.balance(outcome))
    if (sent) invocation.app.botMetrics.commandOutcome(balance, outcome === undefined ? 'unregistered' : 'balance')
  }
}
