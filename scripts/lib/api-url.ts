import type { ScriptOptions } from './options.js'
import { DEFAULT_OUTPUTS_FILE, readStageOutput } from './stage-outputs.js'

/**
 * The deployed API's base URL: `--url`, or the `apiUrl` output of the last deploy when that deploy
 * was of the requested stage (the outputs file holds only the last one).
 */
export function resolveApiUrl (options: ScriptOptions, outputsFile = DEFAULT_OUTPUTS_FILE): string {
  if (options.url !== undefined) return normalise(options.url)
  if (options.stage === undefined) throw new Error('pass --url <api url> or --stage <stage>')
  return normalise(readStageOutput(options.stage, 'apiUrl', outputsFile, 'pass --url <api url>'))
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
