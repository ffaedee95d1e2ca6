import { fork } from 'node:child_process'
import { once } from 'node:events'
import type { DestinationStream } from 'pino'
import { startLocalRuntime, type LocalRuntime } from '../src/local/runtime.js'
import { startDynamoDbProcess } from './dynamodb-process.js'
import { account, run, runGroupChatter, type GroupChatterRun, type PipelineRun } from './pipeline-driver.js'
import type { FromTelegram, ToTelegram } from './telegram-process.js'

export interface PipelineResult {
  burst: { median: PipelineRun, runs: PipelineRun[] }
  paced: PipelineRun
  /** Non-command group messages (no reply), bursts: what the Worker does with the future's dominant traffic. */
  groupChatter: { median: GroupChatterRun, runs: GroupChatterRun[] }
  /** The same bursts with the Telegram emulator and the driver in another process: the bot's process does only the bot's work. */
  split: { median: PipelineRun, runs: PipelineRun[] }
  /** What the local poller (Lambda's SQS event source) handed the Worker during the bursts. */
  batches: { count: number, meanRecords: number, singleRecord: number }
  orderKept: boolean
  /** Log lines at warn or above from the runtime (retries, failures), first few. */
  warnings: { count: number, first: string[] }
}

interface Options {
  users: number
  messagesPerUser: number
  burstRuns: number
  paced: { users: number, messagesPerUser: number, perSecond: number }
  groupChatter: { groups: number, users: number, messagesPerUser: number, runs: number }
  timeoutMs: number
}

const medianByRate = (runs: PipelineRun[]): PipelineRun => [...runs].sort((a, b) => a.updatesPerSecond - b.updatesPerSecond)[Math.floor(runs.length / 2)] as PipelineRun

async function startRuntime (env: Record<string, string>, logDestination: DestinationStream): Promise<LocalRuntime> {
  return await startLocalRuntime({
    env: { HOST: '127.0.0.1', PORT: '0', DATABASE_CONNECTION_STRING: 'sqlite::memory:', LOG_LEVEL: 'warn', ...env },
    logDestination,
    writeRuntimeFile: false
  })
}

/** Bursts through a runtime whose Telegram is the emulator in a child process (TELEGRAM_POLL=0: updates arrive by webhook only). */
async function measureSplit (options: Options, env: Record<string, string>, logDestination: DestinationStream): Promise<PipelineRun[]> {
  const child = fork(new URL('./telegram-process.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  try {
    const next = async (): Promise<FromTelegram> => {
      const [message] = await Promise.race([
        once(child, 'message') as Promise<[FromTelegram]>,
        once(child, 'exit').then(([code]) => { throw new Error(`the Telegram process exited (${String(code)})`) })
      ])
      if (message.type === 'failed') throw new Error(`the Telegram process failed: ${message.message}`)
      return message
    }
    const ready = await next()
    if (ready.type !== 'ready') throw new Error('the Telegram process did not start')
    const runtime = await startRuntime({ TELEGRAM_BOT_TOKEN: ready.token, TELEGRAM_API_ROOT: ready.url, TELEGRAM_BOT_USERNAME: ready.botUsername, TELEGRAM_POLL: '0', ...env }, logDestination)
    const ask = async (request: ToTelegram): Promise<PipelineRun | undefined> => {
      child.send(request)
      const answer = await next()
      if (answer.type !== 'done') throw new Error('the Telegram process answered out of turn')
      return answer.run
    }
    try {
      await ask({ type: 'webhook', url: runtime.webhookUrl, secretToken: runtime.config.telegram.webhookSecret ?? '' })
      await ask({ type: 'run', firstUserId: 1_000, users: 10, messagesPerUser: 3, timeoutMs: options.timeoutMs })
      const runs: PipelineRun[] = []
      for (let index = 0; index < options.burstRuns; index++) {
        // This process runs only the bot here: its CPU per update is the bot's own cost.
        const cpuBefore = process.cpuUsage()
        const measured = await ask({ type: 'run', firstUserId: 100_000 * (index + 1), users: options.users, messagesPerUser: options.messagesPerUser, timeoutMs: options.timeoutMs }) as PipelineRun
        const cpu = process.cpuUsage(cpuBefore)
        runs.push({ ...measured, cpuMsPerUpdate: Math.round((cpu.user + cpu.system) / measured.updates) / 1000 })
      }
      return runs
    } finally {
      await runtime.close()
    }
  } finally {
    if (child.exitCode === null) {
      const exited = once(child, 'exit')
      child.disconnect()
      await exited
    }
  }
}

/**
 * The whole local pipeline in this process (`startLocalRuntime`, as `npm start`): the Telegram
 * emulator delivers each update to the real webhook over HTTP, the app sends it to the embedded SQS
 * FIFO queue, the poller hands batches to the Worker handler, which registers against SQLite in
 * memory and replies through the emulator. Bursts measure throughput; a paced run, latency below
 * saturation; group chatter (non-command messages in supergroups, no reply), the Worker's cost for
 * the traffic that dominates once the bot reads every group message.
 */
export async function measurePipeline (options: Options): Promise<PipelineResult> {
  // The ledger's DynamoDB in its own process, as DynamoDB is on Lambda: its work is not the bot's.
  const ledger = await startDynamoDbProcess()
  try {
    return await measurePipelineWith(options, ledger.env)
  } finally {
    await ledger.stop()
  }
}

async function measurePipelineWith (options: Options, ledgerEnv: Record<string, string>): Promise<PipelineResult> {
  const warnings: string[] = []
  // Warnings and errors only: the metrics' EMF lines are written at info whatever LOG_LEVEL says.
  const logDestination: DestinationStream = { write: (line: string) => { if (Number(/"level":(\d+)/.exec(line)?.[1] ?? 50) >= 40) warnings.push(line) } }
  const accounts = Array.from({ length: Math.max(options.messagesPerUser, options.paced.messagesPerUser) }, (_, k) => `${account(k)}:tok${String(k).padStart(2, '0')}`)
  const runtime = await startRuntime({ ...ledgerEnv, DEV_ACCOUNTS: accounts.join(',') }, logDestination)
  let runs: PipelineRun[]
  let paced: PipelineRun
  const chatter: GroupChatterRun[] = []
  const batchSizes: number[] = []
  let deleted = 0
  try {
    const emulator = runtime.emulator
    if (emulator === undefined) throw new Error('pipeline: expected the embedded Telegram emulator')
    // Warm-up: JIT, connections, SQLite statements; not measured.
    await run(emulator, 1_000, 10, 3, options.timeoutMs)
    // The pollers' client: the size of every batch they receive.
    runtime.queues?.client.middlewareStack.add((next, context) => async (args) => {
      const result = await next(args)
      const messages = (result.output as { Messages?: unknown[] }).Messages
      if (context.commandName === 'ReceiveMessageCommand' && messages !== undefined && messages.length > 0) batchSizes.push(messages.length)
      return result
    }, { step: 'initialize', name: 'benchBatchSizes' })
    runs = []
    for (let index = 0; index < options.burstRuns; index++) {
      runs.push(await run(emulator, 100_000 * (index + 1), options.users, options.messagesPerUser, options.timeoutMs))
    }
    runtime.queues?.client.middlewareStack.remove('benchBatchSizes')
    paced = await run(emulator, 900_000, options.paced.users, options.paced.messagesPerUser, options.timeoutMs, options.paced.perSecond)
    // The records the Worker finished: the poller deletes each one once its handler succeeded.
    runtime.queues?.client.middlewareStack.add((next, context) => async (args) => {
      const result = await next(args)
      if (context.commandName === 'DeleteMessageBatchCommand') deleted += ((result.output as { Successful?: unknown[] }).Successful ?? []).length
      return result
    }, { step: 'initialize', name: 'benchDeleted' })
    for (let index = 0; index < options.groupChatter.runs; index++) {
      chatter.push(await runGroupChatter(emulator, () => deleted, { firstUserId: 2_000_000 + 10_000 * index, ...options.groupChatter, timeoutMs: options.timeoutMs }))
    }
    runtime.queues?.client.middlewareStack.remove('benchDeleted')
  } finally {
    await runtime.close()
  }
  const split = await measureSplit(options, { ...ledgerEnv, DEV_ACCOUNTS: accounts.join(',') }, logDestination)
  return {
    burst: { median: medianByRate(runs), runs },
    paced,
    groupChatter: { median: [...chatter].sort((a, b) => a.updatesPerSecond - b.updatesPerSecond)[Math.floor(chatter.length / 2)] as GroupChatterRun, runs: chatter },
    split: { median: medianByRate(split), runs: split },
    batches: {
      count: batchSizes.length,
      meanRecords: Math.round(100 * batchSizes.reduce((sum, size) => sum + size, 0) / Math.max(1, batchSizes.length)) / 100,
      singleRecord: batchSizes.filter((size) => size === 1).length
    },
    orderKept: [...runs, paced, ...split].every((entry) => entry.orderKept),
    warnings: { count: warnings.length, first: warnings.slice(0, 3).map((line) => line.slice(0, 300)) }
  }
}
