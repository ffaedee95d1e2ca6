import t from 'tap'
import { reportingTo } from '../../src/local/processing-report.js'
import { lambdaContext } from '../../src/local/queue-poller.js'
import { startFakeTelegram } from '../support/telegram.js'
import { sqsEvent, updateRecord } from '../support/sqs-events.js'

t.test('each record of a batch is reported once the batch is done: processed, failed, dead-lettered; records without an update id are skipped', async (t) => {
  const emulator = await startFakeTelegram(t)
  const ok = updateRecord({ update_id: 11, message: { message_id: 1, date: 1, chat: { id: 5, type: 'private' }, from: { id: 5, is_bot: false, first_name: 'A' }, text: 'x' } })
  const failed = updateRecord({ update_id: 12 })
  const junk = [{ ...updateRecord({ update_id: 13 }), body: 'not json' }, { ...updateRecord({ update_id: 14 }), body: '{"update_id":"14"}' }]
  const worker = reportingTo(emulator, async () => ({ batchItemFailures: [{ itemIdentifier: failed.messageId }] }), 'worker')
  t.same(await worker(sqsEvent([ok, failed, ...junk]), lambdaContext('worker', 1000)), { batchItemFailures: [{ itemIdentifier: failed.messageId }] }, 'the response is passed on')
  const deadLetter = reportingTo(emulator, async () => ({ batchItemFailures: [] }), 'dead-letter')
  await deadLetter(sqsEvent([failed]), lambdaContext('dead-letter', 1000))
  t.match(emulator.updateStatus(11).attempts, [{ outcome: 'processed' }])
  t.match(emulator.updateStatus(12).attempts, [{ outcome: 'failed' }, { outcome: 'dead-lettered' }])
  t.same([emulator.updateStatus(13).attempts, emulator.updateStatus(14).attempts], [[], []])
})
