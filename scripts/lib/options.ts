import { parseArgs } from 'node:util'

/** The command-line options the scripts share: `--stage <stage>` and `--url <api url>`. */
export interface ScriptOptions {
  stage?: string
  url?: string
}

export function readOptions (argv: readonly string[]): ScriptOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { stage: { type: 'string' }, url: { type: 'string' } },
    strict: true
  })
  return { stage: values.stage, url: values.url }
}
