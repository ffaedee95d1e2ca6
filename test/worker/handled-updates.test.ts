import fp from 'fastify-plugin'
import type { FastifyPluginAsync } from 'fastify'
import t, { type Test } from 'tap'
import { Telegraf } from 'telegraf'
import { buildApp } from '../../src/app.js'
import { recordHandledUpdateTypes } from '../../src/plugins/bot.js'
import { workerPlugins } from '../../src/worker/app.js'
import { handledUpdateTypes } from '../../src/worker/handled-updates.js'
import { TEST_BOT_TOKEN, testConfig } from '../helper.js'
import { captureLogs } from '../support/log-capture.js'

/** The Worker app with one more plugin that registers bot handlers, as a new command or update type would. */
async function workerWith (t: Test, register: FastifyPluginAsync) {
  const extra = fp(register, { name: 'extra-handlers', dependencies: ['bot'] })
  const app = buildApp(testConfig({ LEDGER_TABLE: 'update-ledger' }), { plugins: [...workerPlugins, extra], logDestination: captureLogs() })
  t.teardown(async () => { await app.close() })
  return app
}

t.test('the handled update types are what the Worker registers handlers for: messages and their edits today', async (t) => {
  t.same(await handledUpdateTypes(), ['edited_message', 'message'])
})

t.test('a new bot.on(<update type>) in a Worker plugin is handled with nothing else to edit', async (t) => {
  const app = await workerWith(t, async (fastify) => {
    fastify.bot.on('edited_message', async () => {})
    fastify.bot.on(['callback_query', 'message'], async () => {})
  })
  await app.ready()
  t.same([...app.handledUpdateTypes].sort(), ['callback_query', 'edited_message', 'message'])
})

t.test('a handler registered by anything but an update type is refused: what it needs delivered could not be told', async (t) => {
  const bot = new Telegraf(TEST_BOT_TOKEN)
  const handled = recordHandledUpdateTypes(bot)
  t.throws(() => bot.on('text', async () => {}), { message: /^bot\.on\('text'\): register handlers by update type/ })
  t.throws(() => bot.on((() => true) as never, async () => {}), { message: /^bot\.on\(function\): register handlers by update type/ })
  t.same([...handled], [], 'nothing recorded')
})
