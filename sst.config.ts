/// <reference path="./.sst/platform/config.d.ts" />

// SST refuses top-level imports here: modules are loaded inside app() and run().
export default $config({
  async app (input) {
    const { AWS_PROVIDER_VERSION, REGION, SST_VERSION } = await import('./infra/settings')
    const isProd = input.stage === 'prod'
    return {
      name: 'telegram-register-bot',
      home: 'aws',
      version: SST_VERSION,
      // Prod keeps its data on removal and refuses `sst remove` altogether.
      removal: isProd ? 'retain' : 'remove',
      protect: isProd,
      providers: { aws: { region: REGION, version: AWS_PROVIDER_VERSION } }
    }
  },
  async run () {
    const { createBot } = await import('./infra/bot')
    return createBot()
  }
})
