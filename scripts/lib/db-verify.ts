import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { stageSettings } from '../../infra/stages.js'
import { REGION } from '../../infra/settings.js'
import { commands } from '../../src/commands/index.js'
import { readSstLinks, type LinkedValues } from '../../src/config.js'
import { declaredContracts } from '../../src/db/declared-contracts.js'
import { verifyContracts, type VerificationReport } from '../../src/db/verify.js'
import { VERIFICATION_REQUEST } from '../../src/worker/verification-request.js'
import { DEFAULT_OUTPUTS_FILE, readStageOutput } from './stage-outputs.js'

/**
 * The bot registry's contracts checked from this machine, against DATABASE_CONNECTION_STRING or, inside
 * `npx sst shell --stage <stage>`, the stage's DatabaseConnectionString.
 */
export async function verifyFromHere (env: NodeJS.ProcessEnv = process.env, links: LinkedValues = readSstLinks()): Promise<VerificationReport> {
  const connectionString = env.DATABASE_CONNECTION_STRING ?? links.DATABASE_CONNECTION_STRING
  if (connectionString === undefined || connectionString === '') {
    throw new Error('DATABASE_CONNECTION_STRING is not set: set it, or run `npx sst shell --stage <stage> -- npm run db:verify`')
  }
  return await verifyContracts(declaredContracts(commands), connectionString)
}

export interface StageTarget {
  outputsFile?: string
  /** The stage's deploy profile and region (infra/stages.ts, infra/settings.ts) unless given. */
  client?: LambdaClient
}

function isReport (value: unknown): value is VerificationReport {
  const report = value as Partial<VerificationReport> | null
  return typeof report?.ok === 'boolean' && Array.isArray(report.lines) && report.lines.every((line) => typeof line === 'string')
}

/**
 * Asks the stage's Worker to check its contracts from where it runs (a database on a private network answers
 * only there): a direct invocation with the caller's AWS credentials (lambda:InvokeFunction on the Worker).
 */
export async function verifyInStage (stage: string, target: StageTarget = {}): Promise<VerificationReport> {
  const functionName = readStageOutput(stage, 'workerFunctionName', target.outputsFile ?? DEFAULT_OUTPUTS_FILE)
  const client = target.client ?? new LambdaClient({ region: REGION, profile: process.env.AWS_PROFILE ?? stageSettings(stage).profile })
  const response = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(VERIFICATION_REQUEST) }))
  const answer = response.Payload === undefined ? undefined : Buffer.from(response.Payload).toString('utf8')
  if (response.FunctionError !== undefined) {
    throw new Error(`the Worker ${functionName} of stage ${stage} failed (${response.FunctionError}): its log says why; a Worker deployed before db:verify existed fails this way`)
  }
  let report: unknown
  try {
    report = JSON.parse(answer ?? '')
  } catch {}
  if (!isReport(report)) throw new Error(`the Worker ${functionName} of stage ${stage} did not answer with a db:verify report`)
  return report
}
