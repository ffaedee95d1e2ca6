/**
 * Which stage may run where: infra/stages.ts through sst.config.ts's app() and run(), as the CLI
 * evaluates them (mock-deploy.ts), plus the stage table's own rules.
 */
import t from 'tap'
import { awsProviderOf, refuseDevMode, stageSettings, STAGES, type StageSettings } from '../../infra/stages.js'
import { checks } from './checks.js'
import { deployWithMocks, evaluateApp, TEST_STAGES } from './mock-deploy.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.mockDeployments)

const WITHOUT_PROD_ACCOUNT: Record<string, StageSettings> = { ...TEST_STAGES, prod: { profile: 'telegram-bot-prod' } }

t.test('prod without a configured account refuses to run, with one line naming the setting', async (t) => {
  const refusal = 'stage prod has no AWS account configured: set STAGES.prod.accountId in infra/stages.ts before deploying it'
  await t.rejects(evaluateApp('prod', WITHOUT_PROD_ACCOUNT), { name: 'StageRefusedError', message: refusal })
  await t.rejects(deployWithMocks('prod', { stages: WITHOUT_PROD_ACCOUNT }), { message: refusal }, 'nothing is deployed')
  const dev = await evaluateApp('dev', WITHOUT_PROD_ACCOUNT)
  t.same(dev.providers.aws?.allowedAccountIds, ['111111111111'], 'other stages are unaffected')
})

t.test('a personal stage deploys to the dev account with the dev profile, and mails no one', async (t) => {
  const app = await evaluateApp('alice', TEST_STAGES)
  t.same([app.providers.aws?.allowedAccountIds, app.providers.aws?.profile], [['111111111111'], 'telegram-bot-dev'])
  t.same(stageSettings('alice', { ...TEST_STAGES, dev: { accountId: '111111111111', profile: 'telegram-bot-dev', alarmEmail: 'team@example.com' } }), { accountId: '111111111111', profile: 'telegram-bot-dev' })
})

t.test('sst dev: a personal stage is accepted, prod is refused', async (t) => {
  const alice = await deployWithMocks('alice', { stages: TEST_STAGES, dev: true })
  t.equal(alice.dev, true)
  t.same(alice.builds.map((build) => build.functionID).sort(), ['Api', 'DeadLetter', 'Worker'], 'every function is registered to run on the developer\'s machine')
  t.same(checks.links.run(alice), [], 'with the same links as a deployed stage')
  t.same(checks.accountGuard.run(alice), [], 'and the dev account guard')
  t.match(alice.outputs.apiUrl, /^https:\/\//, 'the stage has its own API URL for telegram:setup')

  const error = await deployWithMocks('prod', { stages: TEST_STAGES, dev: true }).then(() => undefined, (failure: unknown) => failure as Error)
  t.match(error?.message, 'sst dev is refused for stage prod: use a personal stage, e.g. npx sst dev --stage $USER')
})

t.test('the stage rules as functions', async (t) => {
  t.throws(() => awsProviderOf('dev', { dev: { accountId: '1234', profile: 'p' } }), { message: 'stage dev: accountId in infra/stages.ts must be a 12-digit AWS account id' })
  t.same(awsProviderOf('dev', { dev: { profile: 'p' } }), { profile: 'p' }, 'dev without an account: its profile, no guard')
  t.doesNotThrow(() => { refuseDevMode('prod', false) }, 'sst deploy of prod is not sst dev')
  t.doesNotThrow(() => { refuseDevMode('alice', true) })
  t.same(Object.keys(STAGES).sort(), ['dev', 'prod'], 'the checked-in table names the two shared stages')
})
