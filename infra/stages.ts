/**
 * Per-stage settings, checked in and not secret: which AWS account a stage may deploy to, the AWS
 * CLI profile it deploys with, and who receives its alarms. Reading them from here rather than from
 * the deploying shell means a deploy cannot land in whichever account `AWS_PROFILE` happens to name,
 * and a shell without ALARM_EMAIL cannot silently drop the alarm subscription.
 *
 * Plain values only, no SST globals: `app()` reads this before SST has set any up.
 * Set-up for two accounts: docs/deploy.md, section 1.
 */

export interface StageSettings {
  /** The 12-digit AWS account id this stage may deploy to: the AWS provider refuses any other. */
  accountId?: string
  /** The profile in ~/.aws/config that deploys this stage (e.g. an SSO profile). */
  profile: string
  /** Subscribed to the stage's alarm topic (AWS mails a confirmation link once). */
  alarmEmail?: string
}

/** The shared stages. Fill in `accountId` (and `alarmEmail`) for your accounts: see docs/deploy.md. */
export const STAGES: Record<'dev' | 'prod', StageSettings> = {
  dev: { accountId: undefined, profile: 'telegram-bot-dev', alarmEmail: undefined },
  prod: { accountId: undefined, profile: 'telegram-bot-prod', alarmEmail: undefined }
}

/** Stages that only a person's own machine deploys (`sst dev`) must never be this one. */
export const PROD_STAGE = 'prod'

/** What a stage can be refused for: one line, naming the setting to change. */
export class StageRefusedError extends Error {
  override name = 'StageRefusedError'
}

/**
 * The settings of one stage. Any stage not listed (a personal stage such as `alice`, for `sst dev`)
 * deploys to the dev account with the dev profile, and mails no one: its alarms are its owner's.
 */
export function stageSettings (stage: string, stages: Record<string, StageSettings | undefined> = STAGES): StageSettings {
  const listed = stages[stage]
  if (listed !== undefined) return listed
  const dev = stages.dev ?? STAGES.dev
  return { accountId: dev.accountId, profile: dev.profile }
}

/**
 * The AWS provider arguments of a stage: its profile and, when its account is known, that account as
 * the only one allowed. `prod` without an account is refused outright.
 */
export function awsProviderOf (stage: string, stages?: Record<string, StageSettings | undefined>): { profile: string, allowedAccountIds?: string[] } {
  const settings = stageSettings(stage, stages)
  if (settings.accountId !== undefined && !/^[0-9]{12}$/.test(settings.accountId)) {
    throw new StageRefusedError(`stage ${stage}: accountId in infra/stages.ts must be a 12-digit AWS account id`)
  }
  if (settings.accountId === undefined && stage === PROD_STAGE) {
    throw new StageRefusedError(`stage ${stage} has no AWS account configured: set STAGES.${stage}.accountId in infra/stages.ts before deploying it`)
  }
  return { profile: settings.profile, ...(settings.accountId === undefined ? {} : { allowedAccountIds: [settings.accountId] }) }
}

/** `sst dev` runs the functions on a person's machine: never against prod's queues, secrets and users. */
export function refuseDevMode (stage: string, dev: boolean): void {
  if (dev && stage === PROD_STAGE) {
    throw new StageRefusedError(`sst dev is refused for stage ${stage}: use a personal stage, e.g. npx sst dev --stage $USER`)
  }
}
