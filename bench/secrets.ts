/**
 * `npm run bench -- --secrets`: where the Worker's secrets live, measured as a cold-start cost. Paired
 * rounds of two fresh-process cold starts of the Worker on one /register each: the secrets in its
 * environment as its SST link puts them, against the same Worker reading them first as SSM SecureString
 * parameters with Powertools Parameters (bench/variants/worker-ssm-secrets.ts) from a loopback SSM
 * stand-in. The stand-in answers at once: what is measured is the SSM client and Powertools loaded
 * and one round trip over loopback, not SSM's service latency in a region (docs/deploy.md adds that).
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { build } from 'esbuild'
import { startEmbeddedDynamoDb } from '../src/local/embedded-dynamodb.js'
import { startTelegramEmulator } from '../src/local/telegram-emulator.js'
import { TdsResponder } from '../test/support/tds-responder.js'
import { OUT_DIR, ROOT, SST_BUILD } from './bundle.js'
import { runChild, workerTarget, type Target } from './cold-start.js'
import type { SqsProcess } from './sqs-process.js'
import { round, summarize } from './stats.js'

const PARAMETERS = { token: '/bench/TELEGRAM_BOT_TOKEN', database: '/bench/DATABASE_CONNECTION_STRING' }

/** SSM's GetParameters over its JSON protocol, with the given values; counts the calls. */
async function startSsmStandIn (values: Record<string, string>): Promise<{ endpoint: string, calls: () => number, close: () => Promise<void> }> {
  let calls = 0
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => { body += chunk.toString() })
    request.on('end', () => {
      calls++
      const target = String(request.headers['x-amz-target'] ?? '')
      const names = (JSON.parse(body) as { Names?: string[] }).Names ?? []
      if (target !== 'AmazonSSM.GetParameters') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'UnknownOperationException' }))
        return
      }
      const found = names.filter((name) => values[name] !== undefined)
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({
        Parameters: found.map((name) => ({ Name: name, Type: 'SecureString', Value: values[name], Version: 1, DataType: 'text' })),
        InvalidParameters: names.filter((name) => values[name] === undefined)
      }))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return { endpoint: `http://127.0.0.1:${port}`, calls: () => calls, close: async () => { server.close(); await once(server, 'close') } }
}

export interface SecretsSourceResult {
  node: string
  pairs: number
  warmupRounds: number
  sstLink: { totalMedianMs: number, importMedianMs: number, cpuMedianMs: number, failures: number }
  ssm: { totalMedianMs: number, importMedianMs: number, cpuMedianMs: number, failures: number }
  /** Per round, SSM minus SST link: the median and p90 of those differences, ms; and of the ratios. */
  pairedExtraMs: { median: number, p90: number }
  pairedRatio: { median: number, p90: number }
  /** The same difference in CPU time, which other work on the machine inflates far less. */
  pairedExtraCpuMs: { median: number, p90: number }
  ssmCalls: number
  repliesDelivered: number
}

export async function measureSecretsSources (sqs: SqsProcess, runner: string, options: { runs: number, warmupRounds: number, node: string, nodeVersion: string }): Promise<SecretsSourceResult> {
  const files = { sstLink: join(OUT_DIR, 'worker.mjs'), ssm: join(OUT_DIR, 'worker-ssm-secrets.mjs') }
  await build({ ...SST_BUILD, entryPoints: [join(ROOT, 'src/worker/lambda.ts')], outfile: files.sstLink })
  await build({ ...SST_BUILD, entryPoints: [join(ROOT, 'bench/variants/worker-ssm-secrets.ts')], outfile: files.ssm })
  const telegram = await startTelegramEmulator({ botUsername: 'bench_register_bot' })
  const sqlServer = await TdsResponder.start()
  const dynamo = await startEmbeddedDynamoDb({ region: 'us-east-1' })
  const ssm = await startSsmStandIn({ [PARAMETERS.token]: telegram.token, [PARAMETERS.database]: sqlServer.connectionString() })
  try {
    const services = { telegram, sqlServer, dynamo, queueEnv: { QUEUE_URL: sqs.queueUrl, SQS_ENDPOINT: sqs.endpoint } }
    const targets: Record<'sstLink' | 'ssm', Target> = {
      sstLink: workerTarget(files.sstLink, services),
      ssm: workerTarget(files.ssm, services, {
        AWS_ENDPOINT_URL_SSM: ssm.endpoint,
        TELEGRAM_BOT_TOKEN_PARAMETER: PARAMETERS.token,
        DATABASE_CONNECTION_STRING_PARAMETER: PARAMETERS.database
      }, false)
    }
    const samples = { sstLink: [] as Array<{ totalMs: number, importMs: number, cpuMs: number, ok: boolean }>, ssm: [] as Array<{ totalMs: number, importMs: number, cpuMs: number, ok: boolean }> }
    const extra: number[] = []
    const ratios: number[] = []
    const extraCpu: number[] = []
    let delivered = 0
    let run = 0
    for (let roundIndex = 0; roundIndex < options.warmupRounds + options.runs; roundIndex++) {
      // Alternate which goes first, so that neither always runs on a warmer machine.
      const order: Array<'sstLink' | 'ssm'> = roundIndex % 2 === 0 ? ['sstLink', 'ssm'] : ['ssm', 'sstLink']
      const totals: Partial<Record<'sstLink' | 'ssm', number>> = {}
      const cpu: Partial<Record<'sstLink' | 'ssm', number>> = {}
      for (const name of order) {
        const sample = await runChild(runner, targets[name], run, options.node)
        if (targets[name].afterRun?.(run) === true && roundIndex >= options.warmupRounds) delivered++
        run++
        if (roundIndex < options.warmupRounds) continue
        samples[name].push(sample)
        if (sample.ok) {
          totals[name] = sample.totalMs
          cpu[name] = sample.cpuMs
        }
      }
      if (totals.sstLink !== undefined && totals.ssm !== undefined) {
        extra.push(totals.ssm - totals.sstLink)
        ratios.push(totals.ssm / totals.sstLink)
        extraCpu.push((cpu.ssm ?? 0) - (cpu.sstLink ?? 0))
      }
    }
    const figures = (list: typeof samples.sstLink) => ({
      totalMedianMs: round(summarize(list.map((sample) => sample.totalMs)).median),
      importMedianMs: round(summarize(list.map((sample) => sample.importMs)).median),
      cpuMedianMs: round(summarize(list.map((sample) => sample.cpuMs)).median),
      failures: list.filter((sample) => !sample.ok).length
    })
    const extraSummary = summarize(extra)
    const ratioSummary = summarize(ratios)
    return {
      node: options.nodeVersion,
      pairs: extra.length,
      warmupRounds: options.warmupRounds,
      sstLink: figures(samples.sstLink),
      ssm: figures(samples.ssm),
      pairedExtraMs: { median: round(extraSummary.median), p90: round(extraSummary.p90) },
      pairedRatio: { median: round(ratioSummary.median), p90: round(ratioSummary.p90) },
      pairedExtraCpuMs: { median: round(summarize(extraCpu).median), p90: round(summarize(extraCpu).p90) },
      ssmCalls: ssm.calls(),
      repliesDelivered: delivered
    }
  } finally {
    await ssm.close()
    await telegram.close()
    await sqlServer.stop()
    await dynamo.stop()
  }
}

export function renderSecretsSources (result: SecretsSourceResult): string {
  const row = (label: string, figures: SecretsSourceResult['sstLink']): string =>
    `  ${label.padEnd(46)} total ${figures.totalMedianMs.toFixed(1).padStart(6)} ms med   import ${figures.importMedianMs.toFixed(1).padStart(6)} ms   CPU ${figures.cpuMedianMs.toFixed(1).padStart(6)} ms   failures ${figures.failures}`
  return [
    `Worker cold start by where its secrets live — ${result.node}, ${result.pairs} pairs (after ${result.warmupRounds} warm-up rounds), order alternating`,
    row('SST link (secrets in the environment)', result.sstLink),
    row('SSM SecureString via Powertools (loopback SSM)', result.ssm),
    `  paired SSM − SST link: median ${result.pairedExtraMs.median.toFixed(1)} ms, p90 ${result.pairedExtraMs.p90.toFixed(1)} ms; ratio median ×${result.pairedRatio.median.toFixed(2)} (p90 ×${result.pairedRatio.p90.toFixed(2)}); CPU median +${result.pairedExtraCpuMs.median.toFixed(1)} ms (p90 +${result.pairedExtraCpuMs.p90.toFixed(1)} ms)`,
    `  SSM stand-in calls: ${result.ssmCalls} (one GetParameters per SSM cold start); replies delivered: ${result.repliesDelivered} of ${2 * result.pairs}`
  ].join('\n')
}
