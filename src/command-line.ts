import { parseArgs, type ParseArgsConfig } from 'node:util'

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>

/**
 * The one command-line parser of every script and of `npm start`: Node's own `parseArgs`, strict, with
 * `-h`/`--help` always accepted and every refusal turned into one line that names the flag.
 */
export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** How the user runs it, for the hint on a bad command line: `npm run smoke`. */
  command: string
  /** The whole `--help` text. */
  usage: string
  options: O
  /** Whether words that are not options are accepted (chat's message). */
  positionals?: boolean
}

/** A bad command line: one line, printed as it is, exit status 1. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O, allowPositionals: true, strict: true }>>

/** Parses `argv`; `undefined` means `--help` was asked for. */
export function parseCommandLine<O extends ParseArgsOptionsConfig> (argv: readonly string[], spec: CommandSpec<O>): Parsed<O> | undefined {
  // Before parsing, so that `--help` answers whatever else the line holds (up to a `--`).
  const end = argv.indexOf('--')
  const flags = end === -1 ? argv : argv.slice(0, end)
  if (flags.includes('--help') || flags.includes('-h')) return undefined
  let parsed: Parsed<O>
  try {
    parsed = parseArgs({ args: [...argv], options: spec.options, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(`${describeRefusal(error as Error & { code?: string })} (${spec.command} -- --help lists the options)`)
  }
  if (spec.positionals !== true && parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument "${parsed.positionals[0] ?? ''}" (${spec.command} -- --help lists the options)`)
  }
  return parsed
}

/** Node's messages are long and suggest `--` tricks; these name the flag and nothing else. */
function describeRefusal (error: Error & { code?: string }): string {
  const flag = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1] ?? '?'
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': return `unknown option ${flag}`
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': return `option ${flag} needs a value`
    default: return error.message
  }
}

/**
 * For an entry: the parsed command line, or `undefined` after printing the usage (`--help`, exit 0)
 * or the one-line refusal (exit 1). The caller then simply does nothing more.
 */
export function readCommandLine<O extends ParseArgsOptionsConfig> (argv: readonly string[], spec: CommandSpec<O>, io: { out: (text: string) => void, err: (text: string) => void } = stdio): Parsed<O> | undefined {
  try {
    const parsed = parseCommandLine(argv, spec)
    if (parsed === undefined) io.out(spec.usage)
    return parsed
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.err(`error: ${error.message}`)
    process.exitCode = 1
    return undefined
  }
}

const stdio = {
  out: (text: string): void => { process.stdout.write(`${text}\n`) },
  err: (text: string): void => { process.stderr.write(`${text}\n`) }
}
