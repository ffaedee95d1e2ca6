import { spawn } from 'node:child_process'

/**
 * An environment for a child process that tap must not count for coverage. tap follows children,
 * but these compile the sources with tsx, whose line maps differ from tap's loader and would garble
 * the merged report (processinfo's own switch; the regex matches every file).
 */
export function withoutCoverage (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, _TAPJS_PROCESSINFO_COV_EXCLUDE_: '/./' }
}

/** Runs a process to completion (outside coverage), collecting its output. */
export function runToCompletion (command: string, args: string[], options: { cwd: string, env?: NodeJS.ProcessEnv }): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: withoutCoverage({ ...process.env, ...options.env }) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    child.on('error', reject)
    child.on('close', (code) => { resolve({ code, stdout, stderr }) })
  })
}

/** stderr without Node's and the AWS SDK's version notices: what the program itself said. */
export function withoutNotices (stderr: string): string {
  return stderr.trim().split('\n').filter((line) => !/Warning|node >=22|upgrade|a\.co|trace-warnings|^$|versions published|will require/.test(line)).join('\n')
}
