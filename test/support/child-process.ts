/**
 * An environment for a child process that tap must not count for coverage. tap follows children,
 * but these compile the sources with tsx, whose line maps differ from tap's loader and would garble
 * the merged report (processinfo's own switch; the regex matches every file).
 */
export function withoutCoverage (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, _TAPJS_PROCESSINFO_COV_EXCLUDE_: '/./' }
}
