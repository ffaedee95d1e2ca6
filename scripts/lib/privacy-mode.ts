/** The part of getMe that says what the bot reads in groups. */
export interface BotGroupAccess { username?: string, can_read_all_group_messages?: boolean }

/** getMe's `can_read_all_group_messages` (BotFather's /setprivacy) as a readable line. */
export function describePrivacyMode (me: BotGroupAccess): string {
  return me.can_read_all_group_messages === true
    ? 'privacy_mode:         off (can_read_all_group_messages: true): every group message reaches the bot, in groups it was added to after the change'
    : 'privacy_mode:         on (can_read_all_group_messages: false): in groups where it is no admin the bot gets only commands, replies to it and mentions (docs/deploy.md: turning it off)'
}
