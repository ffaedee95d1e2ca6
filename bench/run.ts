/**
 * `npm run bench`: bundles the Lambda entries as SST does, then measures cold starts, the warm
 * webhook and the local pipeline; prints one table and writes bench/results.json. Only loopback
 * traffic; fixed counts, so a run takes about two minutes on 2 cores.
 */
import { writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { buildAll, ROOT, SST_BUILD, ZIP_METHOD } from './bundle.js'
import { measureColdStarts } from './cold-start.js'
import { measureLedger, renderLedger } from './ledger.js'
import { measurePipeline } from './pipeline.js'
import { bundleFigures, checkTargets, renderTable, type Results } from './report.js'
import { startSqsProcess } from './sqs-process.js'
import { measureWarmWebhook } from './warm-webhook.js'
import { readCommandLine } from '../scripts/lib/options.js'

const USAGE = `npm run bench: bundles the Lambda entries as SST does, then measures cold starts, the warm webhook and
the local pipeline on this machine (loopback only, about two minutes on 2 cores); prints one table and
writes bench/results.json. docs/benchmarks.md explains the figures.

  npm run bench

Options:
  -h, --help   this text`

// --help or a bad flag: answered before anything is bundled or measured.
if (readCommandLine(process.argv.slice(2), { command: 'npm run bench', usage: USAGE, options: {} }) === undefined) process.exit()

const SETTINGS = {
  coldStart: { runs: 15, warmupRounds: 1 },
  warmWebhook: { warmup: 500, invocations: 5000, sqsInvocations: 2000, repetitions: 3 },
  pipeline: { users: 50, messagesPerUser: 20, burstRuns: 3, paced: { users: 50, messagesPerUser: 12, perSecond: 150 }, timeoutMs: 60_000 },
  ledger: { warmup: 50, samples: 300 }
}

// Node 20 here, Node 22 on Lambda: the SDK's Node 20 deprecation warning is not part of what Lambda runs.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const progress = (line: string): void => { process.stderr.write(`bench: ${line}\n`) }
const started = performance.now()
const loadAverageBefore = loadavg()[0] ?? 0

progress('bundling the entries (esbuild, as SST)…')
const bundles = await buildAll()

progress('starting the SQS emulator (fauxqs) in its own process…')
const sqs = await startSqsProcess()
let coldStart, warmWebhook
try {
  progress(`cold starts: ${SETTINGS.coldStart.runs} fresh processes per entry, interleaved…`)
  coldStart = await measureColdStarts(bundles, sqs, SETTINGS.coldStart)
  progress('warm webhook…')
  warmWebhook = await measureWarmWebhook(bundles, sqs, SETTINGS.warmWebhook)
} finally {
  await sqs.stop()
}
progress('local pipeline…')
const pipeline = await measurePipeline(SETTINGS.pipeline)
progress('update ledger, on against off…')
const ledger = await measureLedger(SETTINGS.ledger)

const cpuList = cpus()
const results: Results = {
  generatedAt: new Date().toISOString(),
  durationSeconds: (performance.now() - started) / 1000,
  machine: {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    totalMemoryMb: Math.round(totalmem() / 2 ** 20),
    loadAverageBefore,
    loadAverageAfter: loadavg()[0] ?? 0
  },
  settings: SETTINGS,
  bundles: bundleFigures(bundles, ZIP_METHOD, { ...SST_BUILD, absWorkingDir: undefined, metafile: undefined, logLevel: undefined }),
  coldStart,
  warmWebhook,
  pipeline,
  targets: checkTargets(bundles, coldStart, warmWebhook, pipeline)
}
writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify({ ...results, ledger }, null, 2)}\n`)
console.log(renderTable(results, bundles))
console.log(`\n${renderLedger(ledger)}`)
console.log('\nAll figures: bench/results.json. Method and what they mean for Lambda: docs/benchmarks.md.')
