/**
 * sst.config.ts deployed for dev and prod with SST's real components under Pulumi mocks: no network,
 * no AWS account. See mock-deploy.ts for how the run mirrors `sst deploy`, docs/deploy.md for what
 * this cannot prove.
 */
import t from 'tap'
import { checks, type CheckId } from './checks.js'
import { deployWithMocks, TEST_STAGES } from './mock-deploy.js'
import { mutations } from './mutations.js'
import { FILE_BUDGET_MS } from '../support/budgets.js'

t.setTimeout(FILE_BUDGET_MS.mockDeployments)

// Neither shell has ALARM_EMAIL: prod's subscription comes from its stage settings alone.
const [dev, prod] = await Promise.all([
  deployWithMocks('dev', { stages: TEST_STAGES }),
  deployWithMocks('prod', { stages: TEST_STAGES })
])

for (const deployment of [dev, prod]) {
  t.test(`stage ${deployment.app.stage}`, async (t) => {
    for (const check of Object.values(checks)) t.same(check.run(deployment), [], check.title)
  })
}

t.test('every check reports a deployment with one wrong setting', async (t) => {
  for (const mutation of mutations) {
    const broken = structuredClone(mutation.stage === 'prod' ? prod : dev)
    mutation.apply(broken)
    t.not(checks[mutation.check].run(broken).length, 0, `${mutation.check}: ${mutation.change}`)
  }
  const untested = (Object.keys(checks) as CheckId[]).filter((id) => !mutations.some((mutation) => mutation.check === id))
  t.same(untested, [], 'every check has at least one mutation')
})
