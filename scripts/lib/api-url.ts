import { readFileSync } from 'node:fs'
import type { ScriptOptions } from './options.js'

/** Where `sst deploy` writes the outputs of the stage it last deployed. */
export const DEFAULT_OUTPUTS_FILE = '.sst/outputs.json'

/**
 * The deployed API's base URL: `--url`, or the `apiUrl` output of the last deploy when that deploy
 * was of the requested stage (the outputs file holds only the last one).
 */
export function resolveApiUrl (options: ScriptOptions, outputsFile = DEFAULT_OUTPUTS_FILE): string {
  if (options.url !== undefined) return normalise(options.url)
  if (options.stage === undefined) throw new Error('pass --url <api url> or --stage <stage>')
  let outputs: { stage?: unknown, apiUrl?: unknown }
  try {
    outputs = JSON.parse(readFileSync(outputsFile, 'utf8')) as typeof outputs
  } catch {
    throw new Error(`no ${outputsFile} (written by \`npx sst deploy\`): deploy stage ${options.stage} first or pass --url`)
  }
  if (outputs.stage !== options.stage) {
    throw new Error(`${outputsFile} is from stage ${String(outputs.stage)}, not ${options.stage}: pass --url <api url>`)
  }
  if (typeof outputs.apiUrl !== 'string') throw new Error(`${outputsFile} has no apiUrl`)
  return normalise(outputs.apiUrl)
}

function normalise (url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new Error(`not a URL: ${url}`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`not an http(s) URL: ${url}`)
  return parsed.href.replace(/\/+$/, '')
}
