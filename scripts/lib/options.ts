/** `--stage <stage>` and `--url <api url>`: which deployed API a script talks to. */
export const TARGET_OPTIONS = { stage: { type: 'string' }, url: { type: 'string' } } as const

export const TARGET_USAGE = `  --stage <stage>   the stage last deployed from this checkout (its apiUrl in .sst/outputs.json)
  --url <api url>   the API's base URL, e.g. https://<id>.execute-api.us-east-1.amazonaws.com`

/** Where a script finds the deployed API. */
export interface ScriptOptions {
  stage?: string
  url?: string
}

export function targetOf (values: { stage?: string, url?: string }): ScriptOptions {
  return { stage: values.stage, url: values.url }
}
