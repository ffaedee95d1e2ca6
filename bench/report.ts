import type { Bundles, BundleInfo } from './bundle.js'
import type { ColdEntry, ColdStartResult } from './cold-start.js'
import type { PipelineResult } from './pipeline.js'
import type { WarmWebhookResult } from './warm-webhook.js'

export interface Machine {
  cpus: number
  cpuModel: string
  node: string
  platform: string
  totalMemoryMb: number
  /** 1-minute load average before and after: other work on the machine shows up here first. */
  loadAverageBefore: number
  loadAverageAfter: number
  /** The 1-minute load average sampled every 5 s during the run. */
  loadAverageDuring: { mean: number, max: number, samples: number }
}

export interface TargetCheck {
  id: string
  description: string
  target: string
  actual: string
  pass: boolean
}

export interface Results {
  generatedAt: string
  durationSeconds: number
  machine: Machine
  settings: Record<string, unknown>
  bundles: Record<string, unknown>
  /** One per Node the bundles ran on: this one, then Lambda's. */
  coldStarts: ColdStartResult[]
  warmWebhook: WarmWebhookResult
  pipeline: PipelineResult
  targets: TargetCheck[]
}

/** The Api bundle target, decimal kilobytes. */
export const API_BUNDLE_LIMIT_BYTES = 750_000
export const TARGETS = {
  /** Api cold start ÷ the bare baseline, paired, by Node major (Node 24 is what Lambda runs). */
  apiColdStartRatio: { 20: 1.8, 24: 1.6 } as Record<number, number>,
  /** For any other Node: the stricter of the two. */
  apiColdStartRatioOther: 1.6,
  workerColdStartRatio: 2.5,
  warmWebhookP99Ms: 5,
  pipelineUpdatesPerSecond: 300
} as const

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(0)} kB`
const ms = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`
const majorOf = (version: string): number => Number(version.replace(/^v/, '').split('.')[0])

export function checkTargets (bundles: Bundles, colds: ColdStartResult[], warm: WarmWebhookResult, pipeline: PipelineResult): TargetCheck[] {
  const coldTargets = colds.flatMap((cold): TargetCheck[] => {
    const api = cold.entries.api
    const worker = cold.entries.worker
    const apiLimit = TARGETS.apiColdStartRatio[majorOf(cold.node)] ?? TARGETS.apiColdStartRatioOther
    return [
      {
        id: `apiColdStart@${cold.node}`,
        description: `Api cold start on ${cold.node} (process start → end of first invocation) ÷ bare baseline, paired, median of ${api.pairedRatioToBare.pairs} pairs`,
        target: `≤ ${apiLimit}×`,
        actual: `${api.pairedRatioToBare.median.toFixed(2)}× (${ms(api.total.median)} vs ${ms(cold.entries.bare.total.median)}; CPU time ×${api.pairedCpuRatioToBare.median.toFixed(2)})`,
        pass: api.pairedRatioToBare.median <= apiLimit && api.failures === 0
      },
      {
        id: `workerColdStart@${cold.node}`,
        description: `Worker cold start on ${cold.node} (one /register, reply delivered) ÷ bare baseline, paired, median of ${worker.pairedRatioToBare.pairs} pairs`,
        target: `≤ ${TARGETS.workerColdStartRatio}×`,
        actual: `${worker.pairedRatioToBare.median.toFixed(2)}× (${ms(worker.total.median)}; CPU time ×${worker.pairedCpuRatioToBare.median.toFixed(2)})`,
        pass: worker.pairedRatioToBare.median <= TARGETS.workerColdStartRatio && worker.failures === 0 && cold.workerRepliesDelivered === worker.runs
      }
    ]
  })
  return [
    ...coldTargets,
    {
      id: 'apiBundle',
      description: 'Api bundle, minified',
      target: `≤ ${API_BUNDLE_LIMIT_BYTES.toLocaleString('en-US')} B`,
      actual: `${bundles.entries.api.minifiedBytes.toLocaleString('en-US')} B`,
      pass: bundles.entries.api.minifiedBytes <= API_BUNDLE_LIMIT_BYTES
    },
    {
      id: 'warmWebhookP99',
      description: 'Warm webhook p99, in-process, queue send resolved immediately',
      target: `≤ ${TARGETS.warmWebhookP99Ms} ms`,
      actual: ms(warm.noQueue.median.p99Ms),
      pass: warm.noQueue.median.p99Ms <= TARGETS.warmWebhookP99Ms && warm.noQueue.median.non200 === 0
    },
    {
      id: 'pipelineThroughput',
      description: 'Local pipeline, burst, webhook → reply, with every user\'s order kept',
      target: `≥ ${TARGETS.pipelineUpdatesPerSecond} updates/s, order kept`,
      actual: `${pipeline.burst.median.updatesPerSecond.toFixed(0)} updates/s, order ${pipeline.orderKept ? 'kept' : 'BROKEN'}`,
      pass: pipeline.burst.median.updatesPerSecond >= TARGETS.pipelineUpdatesPerSecond && pipeline.orderKept
    }
  ]
}

/** One table: every figure, its target where it has one, and the verdict. */
export function renderTable (results: Results, bundles: Bundles): string {
  const rows: string[][] = []
  const verdict = (id: string): [string, string] => {
    const check = results.targets.find((entry) => entry.id === id)
    return check === undefined ? ['', ''] : [check.target, check.pass ? 'PASS' : 'MISS']
  }
  const bundleRow = (info: BundleInfo, label: string, id = ''): void => {
    rows.push(['bundle', label, `${kb(info.minifiedBytes)} min, ${kb(info.zippedBytes)} zip, ${info.modules} modules${info.staticExternalImports.length > 0 ? `, imports ${info.staticExternalImports.join(', ')} (absent in Lambda)` : ''}`, ...verdict(id)])
  }
  bundleRow(bundles.entries.bare, 'bare baseline')
  bundleRow(bundles.entries.api, 'Api', 'apiBundle')
  bundleRow(bundles.entries.worker, 'Worker')
  bundleRow(bundles.entries.deadLetter, 'DeadLetter')
  for (const variant of Object.values(bundles.variants)) bundleRow(variant, variant.label)

  const coldLabels: Array<[ColdEntry, string, string]> = [
    ['bare', 'bare baseline (parse + SendMessage)', ''],
    ['api', 'Api (src/lambda.ts)', 'apiColdStart'],
    ['worker', 'Worker: 1 × /register, SQL Server (TDS)', 'workerColdStart'],
    ...Object.entries(bundles.variants).map(([name, variant]) => [name, variant.label, ''] as [ColdEntry, string, string])
  ]
  for (const cold of results.coldStarts) {
    for (const [name, label, id] of coldLabels) {
      const entry = cold.entries[name]
      if (entry === undefined) continue
      const ratio = name === 'bare' ? '' : `, ×${entry.pairedRatioToBare.median.toFixed(2)} bare (paired; CPU ×${entry.pairedCpuRatioToBare.median.toFixed(2)})`
      const value = `${ms(entry.total.median)} med, ${ms(entry.total.p90)} p90 (import ${ms(entry.importMedian)}, 1st call ${ms(entry.invokeMedian)}), CPU ${ms(entry.cpuMedian)}, RSS ${entry.rssMedianMb.toFixed(0)} MB${ratio}${entry.failures > 0 ? `, ${entry.failures} FAILED` : ''}`
      rows.push([`cold ${cold.node} ×${entry.runs}`, label, value, ...(id === '' ? ['', ''] : verdict(`${id}@${cold.node}`))])
    }
  }

  const warm = results.warmWebhook
  rows.push(['warm webhook', `no queue round trip (${warm.noQueue.median.invocations} calls)`, `${warm.noQueue.median.requestsPerSecond.toFixed(0)} req/s, p50 ${ms(warm.noQueue.median.p50Ms)}, p99 ${ms(warm.noQueue.median.p99Ms)}`, ...verdict('warmWebhookP99')])
  rows.push(['warm webhook', `with SendMessage to fauxqs (${warm.sqs.median.invocations} calls)`, `${warm.sqs.median.requestsPerSecond.toFixed(0)} req/s, p50 ${ms(warm.sqs.median.p50Ms)}, p99 ${ms(warm.sqs.median.p99Ms)}`, '', ''])

  const { burst, paced } = results.pipeline
  rows.push(['local pipeline', `burst ${burst.median.users} users × ${burst.median.messagesPerUser} (median of ${burst.runs.length})`, `${burst.median.updatesPerSecond.toFixed(0)} updates/s, latency p50 ${ms(burst.median.latencyMs.p50)}, p99 ${ms(burst.median.latencyMs.p99)}, CPU ${burst.median.cpuMsPerUpdate.toFixed(2)} ms/update, order ${results.pipeline.orderKept ? 'kept' : 'BROKEN'}`, ...verdict('pipelineThroughput')])
  const { batches } = results.pipeline
  rows.push(['local pipeline', 'Worker batches during the bursts', `${batches.count} batches, ${batches.meanRecords.toFixed(2)} records on average, ${batches.singleRecord} of 1 record`, '', ''])
  const split = results.pipeline.split.median
  rows.push(['local pipeline', 'what-if: the same, Telegram emulator in its own process', `${split.updatesPerSecond.toFixed(0)} updates/s, latency p50 ${ms(split.latencyMs.p50)}, p99 ${ms(split.latencyMs.p99)}, bot's CPU ${split.cpuMsPerUpdate.toFixed(2)} ms/update`, '', ''])
  const chatter = results.pipeline.groupChatter
  rows.push(['local pipeline', `group chatter: ${chatter.median.users} members × ${chatter.median.updates / chatter.median.users} non-command lines in ${chatter.median.groups} groups (median of ${chatter.runs.length})`, `${chatter.median.updatesPerSecond.toFixed(0)} updates/s, CPU ${chatter.median.cpuMsPerUpdate.toFixed(2)} ms/update (webhook + queue + Worker + emulators), ${chatter.runs.every((entry) => entry.silent) ? 'no replies' : 'REPLIED'}`, '', ''])
  rows.push(['local pipeline', `paced ${paced.offeredPerSecond ?? 0}/s, ${paced.users} × ${paced.messagesPerUser}`, `latency p50 ${ms(paced.latencyMs.p50)}, p99 ${ms(paced.latencyMs.p99)}, max ${ms(paced.latencyMs.max)}`, '', ''])

  const header = ['area', 'measure', 'value', 'target', '']
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`
  const { machine } = results
  return [
    `Benchmarks — node ${machine.node} (cold starts also on ${results.coldStarts.map((cold) => cold.node).join(', ')}), ${machine.cpus} × ${machine.cpuModel}, load ${machine.loadAverageBefore.toFixed(2)} → ${machine.loadAverageAfter.toFixed(2)} (during: mean ${machine.loadAverageDuring.mean.toFixed(2)}, max ${machine.loadAverageDuring.max.toFixed(2)}), ${results.durationSeconds.toFixed(0)} s`,
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    ...(machine.loadAverageDuring.max > machine.cpus / 2
      ? [`Note: the machine was busy (load average up to ${machine.loadAverageDuring.max.toFixed(1)} on ${machine.cpus} CPUs): wall-clock throughput is low and tails are long; paired ratios and CPU ms/update hold up better.`]
      : [`The machine was quiet (load average at most ${machine.loadAverageDuring.max.toFixed(1)} on ${machine.cpus} CPUs).`]),
    `Targets: ${results.targets.filter((check) => check.pass).length} of ${results.targets.length} met. ${results.coldStarts.map((cold) => `${cold.node}: Api ×${cold.entries.api.pairedRatioToBare.median.toFixed(2)} (CPU ×${cold.entries.api.pairedCpuRatioToBare.median.toFixed(2)}), Worker ×${cold.entries.worker.pairedRatioToBare.median.toFixed(2)} (CPU ×${cold.entries.worker.pairedCpuRatioToBare.median.toFixed(2)})`).join('; ')} the bare baseline (paired medians, wall time; CPU time in brackets).`
  ].join('\n')
}

/** The bundle figures for results.json: sizes, the 15 largest packages, and what each bundle needs at run time. */
export function bundleFigures (bundles: Bundles, zipMethod: string, build: Record<string, unknown>): Record<string, unknown> {
  const figures = (info: BundleInfo): Record<string, unknown> => ({
    entry: info.entry,
    minifiedBytes: info.minifiedBytes,
    zippedBytes: info.zippedBytes,
    modules: info.modules,
    staticExternalImports: info.staticExternalImports,
    largestPackages: info.packages.slice(0, 15)
  })
  return {
    build,
    zipMethod,
    entries: Object.fromEntries(Object.entries(bundles.entries).map(([name, info]) => [name, figures(info)])),
    // Every package in the Api bundle, for the breakdown in docs/benchmarks.md.
    apiPackages: bundles.entries.api.packages,
    whatIf: Object.fromEntries(Object.entries(bundles.variants).map(([name, info]) => [name, { title: info.title, ...figures(info) }]))
  }
}
