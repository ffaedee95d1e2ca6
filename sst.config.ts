/// <reference path="./.sst/platform/config.d.ts" />
export default $config({
  app (input) {
    return { name: 'telegram-register-bot', home: 'aws', removal: input?.stage === 'prod' ? 'retain' : 'remove' }
  },
  async run () {}
})
