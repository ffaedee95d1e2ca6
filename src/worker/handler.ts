import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda'
import type { FastifyInstance } from 'fastify'
import type { VerificationReport } from '../db/verify.js'
import { createBatchHandler } from './process-batch.js'
import { isVerificationRequest, type VerificationRequest } from './verification-request.js'

/**
 * The Worker's handler: SQS batches, and the db:verify request of a direct invocation (which only a caller
 * allowed lambda:InvokeFunction can send). The verification code is loaded on its first request only, so
 * that it costs the cold start nothing.
 */
export function createWorkerHandler (app: FastifyInstance): (event: SQSEvent | VerificationRequest, context: Context) => Promise<SQSBatchResponse | VerificationReport> {
  const processBatch = createBatchHandler(app)
  return async (event, context) => {
    if (!isVerificationRequest(event)) return await processBatch(event, context)
    const [{ verifyContracts }, { declaredContracts }] = await Promise.all([import('../db/verify.js'), import('../db/declared-contracts.js')])
    const report = await verifyContracts(declaredContracts(app.commandRegistry.commands), app.config.database.connectionString)
    app.log.info({ ok: report.ok, lines: report.lines.length }, 'db:verify answered a direct invocation')
    return report
  }
}
