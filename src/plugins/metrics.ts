import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import type { FastifyBaseLogger } from 'fastify'
import fp from 'fastify-plugin'
import { COMMAND_OUTCOME_METRIC } from '../commands/outcomes.js'

/** The CloudWatch namespace of the bot's own metrics, unless POWERTOOLS_METRICS_NAMESPACE says otherwise. */
export const DEFAULT_METRICS_NAMESPACE = 'TelegramRegisterBot'
/** The `service` dimension outside a deployment (infra sets POWERTOOLS_SERVICE_NAME to `<app>-<stage>`). */
export const DEFAULT_SERVICE_NAME = 'telegram-register-bot-local'
/** The metric of a side effect whose ledger record could not be saved (alarmed in infra/alarms.ts). */
export const LEDGER_COMPLETION_UNSAVED_METRIC = 'LedgerCompletionUnsaved'
/** The `msg` of the log lines that carry the metrics. */
export const METRICS_LOG_MESSAGE = 'metrics'

/** What a command declares about its outcomes (a BotCommand, seen from here). */
interface CountingCommand<Outcome extends string> {
  readonly name: string
  readonly outcomes: readonly Outcome[]
}

/** The bot's metrics (one method per metric), written as CloudWatch EMF in the app's log lines by `flush`. */
export interface BotMetrics {
  /**
   * One answer of a command: `CommandOutcome` +1 with `command` = its name and `outcome`. Only an
   * outcome the command declares type-checks (and reaches the dashboard); one it does not is logged
   * as an error and not counted.
   */
  commandOutcome: <Outcome extends string>(command: CountingCommand<Outcome>, outcome: NoInfer<Outcome>) => void
  /** How old an update is when the worker handles it: now − the SQS record's SentTimestamp. */
  updateAge: (ageMs: number) => void
  /** The procedure ran but its reply could not be sent. */
  replyFailedAfterProcedure: () => void
  /** A command update whose procedure outcome came from the update ledger instead of the procedure. */
  ledgerHit: () => void
  /**
   * A step's side effect happened but the ledger stayed unavailable for as long as the step's record
   * held, so its completion was not saved: a redelivery may repeat it (docs/design.md, what still happens twice).
   */
  ledgerCompletionUnsaved: () => void
  /**
   * Writes what was recorded since the last flush as EMF log lines, once per batch: one for the metrics
   * under `service` alone, one per command and outcome counted (an EMF line has one value per
   * dimension); none when nothing was recorded.
   */
  flush: () => void
}

declare module 'fastify' {
  interface FastifyInstance {
    botMetrics: BotMetrics
  }
}

/**
 * Powertools Metrics, except for where its EMF line goes: `publishStoredMetrics` prints to process.stdout
 * through a console of its own, which would bypass the app's log destination (the tests' capture, and any
 * other stream the app is built with). The EMF object is written as one log line of the app instead; its
 * `_aws` block and metric values sit at the top level of the JSON line, which is all that CloudWatch needs.
 */
class LoggedMetrics extends Metrics {
  /** The EMF object of the stored metrics and clears them; undefined when there are none or metrics are disabled. */
  takeEmf (): object | undefined {
    const emf = this.hasStoredMetrics() && !this.isDisabled() ? this.serializeMetrics() : undefined
    this.clearMetrics()
    return emf
  }
}

const nonEmpty = (value: string | undefined): string | undefined => value === undefined || value === '' ? undefined : value

/** The metrics, named from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME in `env`, written through `log`. */
export function createBotMetrics (log: FastifyBaseLogger, env: NodeJS.ProcessEnv = process.env): BotMetrics {
  const options = {
    namespace: nonEmpty(env.POWERTOOLS_METRICS_NAMESPACE) ?? DEFAULT_METRICS_NAMESPACE,
    serviceName: nonEmpty(env.POWERTOOLS_SERVICE_NAME) ?? DEFAULT_SERVICE_NAME
  }
  const metrics = new LoggedMetrics(options)
  // One buffered instance per command and outcome, made at its first count, with those two as default
  // dimensions beside `service`. Not Powertools' singleMetric(): it writes each data point at once, to
  // process.stdout, past the app's log; these are flushed with the rest, once per batch.
  const outcomeMetrics = new Map<string, LoggedMetrics>()
  const outcomeMetricsOf = (command: string, outcome: string): LoggedMetrics => {
    const key = JSON.stringify([command, outcome])
    const existing = outcomeMetrics.get(key)
    if (existing !== undefined) return existing
    const created = new LoggedMetrics({ ...options, defaultDimensions: { command, outcome } })
    outcomeMetrics.set(key, created)
    return created
  }
  // Metrics are written whatever LOG_LEVEL says: a quiet log must not hide the dashboard's data.
  const emfLog = log.child({}, { level: 'info' })
  const count = (name: string) => () => { metrics.addMetric(name, MetricUnit.Count, 1) }
  return {
    commandOutcome: (command, outcome) => {
      if (!command.outcomes.includes(outcome)) {
        log.error({ command: command.name, outcome }, 'metrics: an outcome the command does not declare is not counted; add it to its outcomes')
        return
      }
      outcomeMetricsOf(command.name, outcome).addMetric(COMMAND_OUTCOME_METRIC, MetricUnit.Count, 1)
    },
    updateAge: (ageMs) => { if (Number.isFinite(ageMs)) metrics.addMetric('UpdateAge', MetricUnit.Milliseconds, Math.max(0, ageMs)) },
    replyFailedAfterProcedure: count('ReplyFailedAfterProcedure'),
    ledgerHit: count('LedgerHit'),
    ledgerCompletionUnsaved: count(LEDGER_COMPLETION_UNSAVED_METRIC),
    flush: () => {
      for (const instance of [metrics, ...outcomeMetrics.values()]) {
        const emf = instance.takeEmf()
        if (emf !== undefined) emfLog.info(emf, METRICS_LOG_MESSAGE)
      }
    }
  }
}

/** `fastify.botMetrics`: the worker's metrics, flushed by the batch handler once per batch and when the app closes. */
export default fp(async (fastify) => {
  const botMetrics = createBotMetrics(fastify.log)
  fastify.decorate('botMetrics', botMetrics)
  fastify.addHook('onClose', async () => { botMetrics.flush() })
}, { name: 'metrics' })
