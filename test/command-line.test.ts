import t from 'tap'
import { TARGET_OPTIONS, targetOf } from '../scripts/lib/options.js'
import { parseCommandLine, readCommandLine } from '../src/command-line.js'

const SPEC = { command: 'npm run smoke', usage: 'the usage', options: TARGET_OPTIONS }

t.test('options: --stage and --url; anything else is refused with one line naming it', async (t) => {
  t.same(targetOf(required(parseCommandLine(['--stage', 'prod', '--url', 'https://x.example'], SPEC)).values), { stage: 'prod', url: 'https://x.example' })
  t.same(targetOf(required(parseCommandLine([], SPEC)).values), { stage: undefined, url: undefined })
  t.throws(() => parseCommandLine(['--stgae', 'prod'], SPEC), { name: 'UsageError', message: 'unknown option --stgae (npm run smoke -- --help lists the options)' })
  t.throws(() => parseCommandLine(['-x'], SPEC), { message: /^unknown option -x / })
  t.throws(() => parseCommandLine(['--stage'], SPEC), { message: /^option --stage needs a value / })
  t.throws(() => parseCommandLine(['prod'], SPEC), { message: /^unexpected argument "prod" / })
  t.equal(parseCommandLine(['--stgae', '--help'], SPEC), undefined, '--help wins over whatever else is on the line')
  t.equal(parseCommandLine(['-h'], SPEC), undefined)
  t.throws(() => parseCommandLine(['--', '--help'], SPEC), { message: /^unexpected argument "--help"/ }, 'after --, --help is an argument')
})

t.test('readCommandLine prints the usage or the one-line refusal', async (t) => {
  const out: string[] = []
  const err: string[] = []
  const io = { out: (line: string) => { out.push(line) }, err: (line: string) => { err.push(line) } }
  t.equal(readCommandLine(['--help'], SPEC, io), undefined)
  t.same(out, ['the usage'])
  const exitCode = process.exitCode
  t.teardown(() => { process.exitCode = exitCode })
  t.equal(readCommandLine(['--bogus'], SPEC, io), undefined)
  t.same(err, ['error: unknown option --bogus (npm run smoke -- --help lists the options)'])
  t.equal(process.exitCode, 1)
  process.exitCode = exitCode
  t.same(readCommandLine(['--stage', 'dev'], SPEC, io)?.values, { stage: 'dev' })
})

function required<T> (value: T | undefined): T {
  if (value === undefined) throw new Error('expected a parsed command line')
  return value
}
