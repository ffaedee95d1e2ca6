/**
 * `npm run bench`: bundles the Lambda entries as SST does, then measures cold starts, the warm
 * webhook and the local pipeline; prints one table and writes bench/results.json. Only loopback
 * traffic; fixed counts, so a run takes about two minutes on 2 cores.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { buildAll, buildRunner, ROOT, SST_BUILD, ZIP_METHOD } from './bundle.js'
import { LAMBDA_NODE_MAJOR, nodeBinary } from '../scripts/lib/node-release.js'
import { measureColdStarts, type ColdStartResult } from './cold-start.js'
import { measureLedger, renderLedger } from './ledger.js'
import { measurePipeline } from './pipeline.js'
import { bundleFigures, checkTargets, renderTable, type Results } from './report.js'
import { measureSecretsSources, renderSecretsSources } from './secrets.js'
import { startSqsProcess } from './sqs-process.js'
import { measureWarmWebhook } from './warm-webhook.js'
import { readCommandLine } from '../src/command-line.js'

const USAGE = `npm run bench: bundles the Lambda entries as SST does, then measures cold starts, the warm webhook and
the local pipeline on this machine (loopback only, about two minutes on 2 cores); prints one table and
writes bench/results.json. docs/benchmarks.md explains the figures.

  npm run bench
  npm run bench -- --secrets

Options:
  --secrets    only the Worker's cold start with its secrets from its SST link against from SSM
               Parameter Store (Powertools Parameters, loopback SSM stand-in), paired, on Lambda's Node
  -h, --help   this text`

// --help or a bad flag: answered before anything is bundled or measured.
const args = readCommandLine(process.argv.slice(2), { command: 'npm run bench', usage: USAGE, options: { secrets: { type: 'boolean' } } })
if (args === undefined) process.exit()
if (args.values.secrets === true) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  const node = nodeBinary(LAMBDA_NODE_MAJOR)
  const settings = { runs: 12, warmupRounds: 1, node, nodeVersion: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim() }
  process.stderr.write(`bench: secrets: ${settings.runs} paired cold starts of the Worker on ${settings.nodeVersion}, load ${(loadavg()[0] ?? 0).toFixed(2)}…\n`)
  const sqs = await startSqsProcess()
  try {
    console.log(renderSecretsSources(await measureSecretsSources(sqs, await buildRunner('cold-child'), settings)))
  } finally {
    await sqs.stop()
  }
  console.log(`load average after: ${(loadavg()[0] ?? 0).toFixed(2)}`)
  process.exit()
}

const SETTINGS = {
  coldStart: { runs: 20, warmupRounds: 1 },
  warmWebhook: { warmup: 500, invocations: 5000, sqsInvocations: 2000, repetitions: 3 },
  pipeline: { users: 50, messagesPerUser: 20, burstRuns: 3, paced: { users: 50, messagesPerUser: 12, perSecond: 150 }, groupChatter: { groups: 5, users: 100, messagesPerUser: 10, runs: 3 }, timeoutMs: 60_000 },
  ledger: { warmup: 50, samples: 300 }
}

// Node 20 here, Node 24 on Lambda: the SDK's Node 20 deprecation warning is not part of what Lambda runs
// (cold-start.ts sets the same in the children's fresh environments).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

/** The Nodes the cold starts run on: this one and Lambda's (`npm run bench` installs it: scripts/node-install.sh). */
const NODES = [...new Set([process.execPath, nodeBinary(LAMBDA_NODE_MAJOR)])]
  .map((node) => ({ node, nodeVersion: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim() }))

const progress = (line: string): void => { process.stderr.write(`bench: ${line}\n`) }
const started = performance.now()
const loadAverageBefore = loadavg()[0] ?? 0
const loadSamples: number[] = []
const loadSampler = setInterval(() => { loadSamples.push(loadavg()[0] ?? 0) }, 5000)

progress('bundling the entries (esbuild, as SST)…')
const bundles = await buildAll()

progress('starting the SQS emulator (fauxqs) in its own process…')
const sqs = await startSqsProcess()
const coldStarts: ColdStartResult[] = []
let warmWebhook
try {
  for (const node of NODES) {
    progress(`cold starts on ${node.nodeVersion}: ${SETTINGS.coldStart.runs} fresh processes per entry, interleaved…`)
    coldStarts.push(await measureColdStarts(bundles, sqs, { ...SETTINGS.coldStart, ...node }))
  }
  progress('warm webhook…')
  warmWebhook = await measureWarmWebhook(bundles, sqs, SETTINGS.warmWebhook)
} finally {
  await sqs.stop()
}
progress('local pipeline…')
const pipeline = await measurePipeline(SETTINGS.pipeline)
progress('update ledger, on against off…')
const ledger = await measureLedger(SETTINGS.ledger)

clearInterval(loadSampler)
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
    loadAverageAfter: loadavg()[0] ?? 0,
    loadAverageDuring: {
      mean: loadSamples.reduce((sum, value) => sum + value, 0) / Math.max(1, loadSamples.length),
      max: Math.max(loadAverageBefore, ...loadSamples),
      samples: loadSamples.length
    }
  },
  settings: SETTINGS,
  bundles: bundleFigures(bundles, ZIP_METHOD, { ...SST_BUILD, absWorkingDir: undefined, metafile: undefined, logLevel: undefined }),
  coldStarts,
  warmWebhook,
  pipeline,
  targets: checkTargets(bundles, coldStarts, warmWebhook, pipeline)
}
writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify({ ...results, ledger }, null, 2)}\n`)
console.log(renderTable(results, bundles))
console.log(`\n${renderLedger(ledger)}`)
console.log('\nAll figures: bench/results.json. Method and what they mean for Lambda: docs/benchmarks.md.')
