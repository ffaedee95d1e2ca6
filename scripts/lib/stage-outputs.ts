import { readFileSync } from 'node:fs'

/** Where `sst deploy` writes the outputs of the stage it last deployed. */
export const DEFAULT_OUTPUTS_FILE = '.sst/outputs.json'

/**
 * One output of the last deploy (infra/bot.ts), when that deploy was of the requested stage: the outputs
 * file holds only the last one. `otherwise` says what else the user may do (`or pass --url`).
 */
export function readStageOutput (stage: string, key: string, outputsFile = DEFAULT_OUTPUTS_FILE, otherwise = ''): string {
  let outputs: Record<string, unknown>
  try {
    outputs = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, unknown>
  } catch {
    throw new Error(`no ${outputsFile} (written by \`npx sst deploy\`): deploy stage ${stage} first${otherwise === '' ? '' : ` or ${otherwise}`}`)
  }
  if (outputs.stage !== stage) {
    throw new Error(`${outputsFile} is from stage ${String(outputs.stage)}, not ${stage}${otherwise === '' ? `: deploy stage ${stage} from this checkout` : `: ${otherwise}`}`)
  }
  const value = outputs[key]
  if (typeof value !== 'string') throw new Error(`${outputsFile} has no ${key}`)
  return value
}
