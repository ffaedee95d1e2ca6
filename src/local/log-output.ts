import type { DestinationStream } from 'pino'
import { prettyFactory } from 'pino-pretty'
import { ConfigError } from '../config.js'
import { METRICS_LOG_MESSAGE } from '../plugins/metrics.js'

export type LogFormat = 'json' | 'pretty'

/** A terminal or a pipe: what `npm start` writes its log lines to. */
export type LogOutput = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean }

/** LOG_FORMAT, or by default: readable lines on a terminal, JSON when the output goes to a pipe or a file. */
export function logFormat (env: NodeJS.ProcessEnv, output: LogOutput): LogFormat {
  const value = env.LOG_FORMAT
  if (value === undefined || value === '') return output.isTTY === true ? 'pretty' : 'json'
  if (value === 'json' || value === 'pretty') return value
  throw new ConfigError('LOG_FORMAT is malformed: expected json or pretty (unset: pretty on a terminal, json otherwise)')
}

/**
 * Where the local runtime's log lines go: JSON to stdout as pino writes them (undefined), or readable
 * lines through pino-pretty. The lines reach it already serialized, redactions and scrubbed errors
 * included (src/logger.ts), so pretty output shows exactly what JSON would. Lambda never loads this.
 */
export function localLogDestination (format: LogFormat, output: LogOutput): DestinationStream | undefined {
  if (format === 'json') return undefined
  const prettify = prettyFactory({ colorize: output.isTTY === true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l', singleLine: true })
  return { write: (line: string) => { output.write(prettify(summariseMetrics(line))) } }
}

interface EmfLine {
  level: number
  time: number
  msg: string
  _aws?: { CloudWatchMetrics?: Array<{ Dimensions?: string[][], Metrics?: Array<{ Name: string, Unit?: string }> }> }
  [key: string]: unknown
}

/** An EMF line as one short line (`metrics: CommandOutcome 1 (service=…, command=register, outcome=registered)`); any other line as it is. */
export function summariseMetrics (line: string): string | object {
  const entry = JSON.parse(line) as EmfLine
  if (entry.msg !== METRICS_LOG_MESSAGE || entry._aws === undefined) return line
  const directives = entry._aws.CloudWatchMetrics ?? []
  const values = directives.flatMap((directive) => directive.Metrics ?? [])
    .map(({ Name, Unit }) => `${Name} ${JSON.stringify(entry[Name])}${Unit === undefined || Unit === 'Count' ? '' : ` ${Unit}`}`)
  const dimensions = [...new Set(directives.flatMap((directive) => (directive.Dimensions ?? []).flat()))]
    .map((name) => `${name}=${String(entry[name])}`)
  return { level: entry.level, time: entry.time, msg: `${METRICS_LOG_MESSAGE}: ${values.join(', ')}${dimensions.length === 0 ? '' : ` (${dimensions.join(', ')})`}` }
}
