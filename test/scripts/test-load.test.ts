import t from 'tap'
import { boundedInteger, describeRun, passed, tapCounts, type RunReport } from '../../scripts/lib/test-load.js'

t.test('tapCounts reads the last closing summary of a run, or nothing when the run printed none', async (t) => {
  const output = ['# { total: 3, pass: 3 }', 'ok 1 - a file', '# { total: 2405, pass: 2401, fail: 1, skip: 2, todo: 1 }', '# time=1000ms'].join('\n')
  t.same(tapCounts(output), { total: 2405, pass: 2401, fail: 1, skip: 2, todo: 1 })
  t.same(tapCounts('# { total: 60, pass: 60 }\n'), { total: 60, pass: 60, fail: 0, skip: 0, todo: 0 })
  t.equal(tapCounts('not ok 1 - timeout!\n'), undefined)
})

t.test('a run passes only with exit code 0, not stopped, with a summary and no failure; each is reported on one line', async (t) => {
  const base: RunReport = { run: 2, runs: 3, exitCode: 0, stopped: false, seconds: 412, counts: { total: 10, pass: 9, fail: 0, skip: 1, todo: 0 }, log: '/tmp/run-2.log' }
  t.ok(passed(base))
  t.equal(describeRun(base), 'run 2/3: PASS (rc 0) 10 tests, 9 pass, 0 fail, 1 skip, 412 s; log: /tmp/run-2.log')
  t.notOk(passed({ ...base, exitCode: 1 }))
  t.notOk(passed({ ...base, counts: { ...base.counts!, fail: 1 } }))
  t.notOk(passed({ ...base, counts: undefined }))
  const stopped = { ...base, exitCode: null, stopped: true, counts: undefined }
  t.notOk(passed(stopped))
  t.equal(describeRun(stopped), 'run 2/3: FAIL (stopped at the time limit) no tap summary, 412 s; log: /tmp/run-2.log')
  t.match(describeRun({ ...base, counts: { ...base.counts!, todo: 2 } }), /1 skip, 2 todo, 412 s/)
})

t.test('boundedInteger: the fallback when absent, a whole number in range, else one line naming the option', async (t) => {
  t.equal(boundedInteger(undefined, 3, { name: 'runs', min: 1, max: 10 }), 3)
  t.equal(boundedInteger('5', 3, { name: 'runs', min: 1, max: 10 }), 5)
  for (const text of ['0', '11', '2.5', 'x']) {
    t.throws(() => boundedInteger(text, 3, { name: 'runs', min: 1, max: 10 }), { message: `--runs must be a whole number from 1 to 10 (got "${text}")` })
  }
})
