import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import type { FastifyBaseLogger } from 'fastify'
import fp from 'fastify-plugin'

/** The CloudWatch namespace of the bot's own metrics, unless POWERTOOLS_METRICS_NAMESPACE says otherwise. */
export const DEFAULT_METRICS_NAMESPACE = 'TelegramRegisterBot'
/** The `service` dimension outside a deployment (infra sets POWERTOOLS_SERVICE_NAME to `<app>-<stage>`). */
export const DEFAULT_SERVICE_NAME = 'telegram-register-bot-local'
/** The metric of a side effect whose ledger record could not be saved (alarmed in infra/alarms.ts). */
export const LEDGER_COMPLETION_UNSAVED_METRIC = 'LedgerCompletionUnsaved'
/** The `msg` of the log lines that carry the metrics. */
export const METRICS_LOG_MESSAGE = 'metrics'

/** The bot's metrics (one method per metric), written as CloudWatch EMF in the app's log lines by `flush`. */
export interface BotMetrics {
  registrationRegistered: () => void
  registrationRejected: () => void
  registrationMalformed: () => void
  /** A /register from a channel, an anonymous admin, an automatic forward or a bot: refused without calling the procedure. */
  registrationRefusedSender: () => void
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
  /** Writes what was recorded since the last flush as one EMF log line (none when nothing was); once per batch. */
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
  const metrics = new LoggedMetrics({
    namespace: nonEmpty(env.POWERTOOLS_METRICS_NAMESPACE) ?? DEFAULT_METRICS_NAMESPACE,
    serviceName: nonEmpty(env.POWERTOOLS_SERVICE_NAME) ?? DEFAULT_SERVICE_NAME
  })
  // Metrics are written whatever LOG_LEVEL says: a quiet log must not hide the dashboard's data.
  const emfLog = log.child({}, { level: 'info' })
  const count = (name: string) => () => { metrics.addMetric(name, MetricUnit.Count, 1) }
  return {
    registrationRegistered: count('RegistrationRegistered'),
    registrationRejected: count('RegistrationRejected'),
    registrationMalformed: count('RegistrationMalformed'),
    registrationRefusedSender: count('RegistrationRefusedSender'),
    updateAge: (ageMs) => { if (Number.isFinite(ageMs)) metrics.addMetric('UpdateAge', MetricUnit.Milliseconds, Math.max(0, ageMs)) },
    replyFailedAfterProcedure: count('ReplyFailedAfterProcedure'),
    ledgerHit: count('LedgerHit'),
    ledgerCompletionUnsaved: count(LEDGER_COMPLETION_UNSAVED_METRIC),
    flush: () => {
      const emf = metrics.takeEmf()
      if (emf !== undefined) emfLog.info(emf, METRICS_LOG_MESSAGE)
    }
  }
}

/** `fastify.botMetrics`: the worker's metrics, flushed by the batch handler once per batch and when the app closes. */
export default fp(async (fastify) => {
  const botMetrics = createBotMetrics(fastify.log)
  fastify.decorate('botMetrics', botMetrics)
  fastify.addHook('onClose', async () => { botMetrics.flush() })
}, { name: 'metrics' })
