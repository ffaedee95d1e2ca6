import type { BotCommand } from '../../../src/commands/command.js'
import { callDatabase } from '../../../src/commands/call-database.js'
import { replyOnce } from '../../../src/commands/reply-once.js'
import { sql, type DatabaseContract, type Row } from '../../../src/db/contract.js'

/** A third command that exists only in the tests (issue 17): it reads rows from a table-valued function. */

/** At most this many bets are listed. */
const MAX_BETS = 5

/** The sender's open bets, newest first (none when they are not linked). */
export const openBetsContract: DatabaseContract<{ telegramUserId: number }, readonly Row[]> = {
  name: 'dbo.PartyOpenBets_tf',
  kind: 'table-function',
  parameters: [
    { name: 'TelegramUserId', type: sql.bigint(), from: (input) => input.telegramUserId },
    { name: 'MaxRows', type: sql.int(), from: () => MAX_BETS }
  ],
  resultColumns: [
    { name: 'BetId', type: sql.bigint(), nullable: false },
    { name: 'Event', type: sql.nvarchar(100), nullable: false },
    { name: 'Stake', type: sql.decimal(18, 2), nullable: false },
    { name: 'PlacedAt', type: sql.datetime2(0), nullable: false },
    { name: 'Boosted', type: sql.bit(), nullable: true }
  ],
  effect: 'reads',
  outcome: ({ rows }) => rows
}

export const BETS_REPLIES = {
  none: 'You have no open bets.',
  bets: (rows: readonly Row[]) => ['Your open bets:', ...rows.map((row) =>
    `#${String(row.BetId)} ${String(row.Event)}: ${String(row.Stake)}${row.Boosted === true ? ' (boosted)' : ''}, placed ${(row.PlacedAt as Date).toISOString().slice(0, 10)}`)].join('\n')
} as const

/** `/bets`: the sender's open bets. */
export const bets: BotCommand<'none' | 'listed'> = {
  name: 'bets',
  description: 'Your open bets',
  usage: '/bets',
  inGroups: 'when-addressed',
  outcomes: ['none', 'listed'],
  contracts: [openBetsContract],
  local: async () => (await import('./bets.local.js')).local,
  async handle (invocation) {
    const { outcome } = await callDatabase(invocation, openBetsContract, { telegramUserId: invocation.ctx.from.id })
    const sent = await replyOnce(invocation, outcome.length === 0 ? BETS_REPLIES.none : BETS_REPLIES.bets(outcome))
    if (sent) invocation.app.botMetrics.commandOutcome(bets, outcome.length === 0 ? 'none' : 'listed')
  }
}
