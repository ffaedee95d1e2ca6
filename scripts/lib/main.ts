import { redactor } from './redact.js'

/**
 * Runs a script's main function: a failure prints one line (with the given secrets redacted once
 * more, in case a message from elsewhere carried one) and exits with status 1.
 */
export async function runMain (main: () => Promise<boolean>, secrets: () => ReadonlyArray<string | undefined> = () => []): Promise<void> {
  try {
    if (!await main()) process.exitCode = 1
  } catch (error) {
    console.error(`error: ${redactor(secrets())((error as Error).message)}`)
    process.exitCode = 1
  }
}
