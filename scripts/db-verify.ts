/**
 * npm run db:verify [-- --stage <stage>]
 * Every database contract the bot's commands declare, compared with the real object in SQL Server's catalog.
 */
import { readCommandLine } from '../src/command-line.js'
import { verifyFromHere, verifyInStage } from './lib/db-verify.js'
import { runMain } from './lib/main.js'

const USAGE = `Checks every database contract the bot's commands declare against SQL Server's catalog: the object
and its kind, each parameter's name, type, length, precision, scale and OUTPUT flag, the login's EXECUTE
(or SELECT) permission, and the columns of the rows a contract reads. Reads the catalog only: it never
runs a contract. Prints \`ok <name>\` or what differs, one line per contract; exit status 1 on any difference.
The catalog cannot tell what a procedure's return value means, nor T-SQL parameter defaults.

  DATABASE_CONNECTION_STRING=… npm run db:verify
  npx sst shell --stage <stage> -- npm run db:verify        the stage's connection string, from this machine
  npm run db:verify -- --stage <stage>                      from inside the stage's deployed Worker

Options:
  --stage <stage>   ask the stage's Worker (workerFunctionName in .sst/outputs.json) to run the check where it
                    runs, with your AWS credentials (lambda:InvokeFunction on it): for a database that answers
                    only on its private network
  -h, --help        this text

The connection string and its password are never printed.`

const args = readCommandLine(process.argv.slice(2), { command: 'npm run db:verify', usage: USAGE, options: { stage: { type: 'string' } } })
if (args !== undefined) {
  await runMain(async () => {
    const { stage } = args.values
    const report = stage === undefined ? await verifyFromHere() : await verifyInStage(stage)
    for (const line of report.lines) console.log(line)
    return report.ok
  }, () => [process.env.DATABASE_CONNECTION_STRING])
}
