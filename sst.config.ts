/// <reference path="./.sst/platform/config.d.ts" />

// SST refuses top-level imports here: modules are loaded inside app() and run().
export default $config({
  async app (input) {
    const { AWS_PROVIDER_VERSION, REGION, SST_VERSION } = await import('./infra/settings')
    const { awsProviderOf } = await import('./infra/stages')
    const isProd = input.stage === 'prod'
    return {
      name: 'telegram-register-bot',
      home: 'aws',
      version: SST_VERSION,
      // Prod keeps its data on removal and refuses `sst remove` altogether.
      removal: isProd ? 'retain' : 'remove',
      protect: isProd,
      // The stage's own profile and account (infra/stages.ts): any other account is refused.
      providers: { aws: { region: REGION, version: AWS_PROVIDER_VERSION, ...awsProviderOf(input.stage) } }
    }
  },
  async run () {
    const { refuseDevMode } = await import('./infra/stages')
    refuseDevMode($app.stage, $dev)
    const { createBot } = await import('./infra/bot')
    return createBot()
  }
})
