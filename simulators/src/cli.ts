import { DISTRICT_USAGE, districtCommand, estimateCommand, fleetCommand } from './cli/export-command.ts';
import { CliError } from './cli/options.ts';
import { RUN_USAGE, runCommand } from './cli/run-command.ts';
import { SCENARIO_USAGE, scenarioCommand } from './cli/scenario-command.ts';
import { ServerApiError } from './server-api.ts';

const USAGE = `gridwatch simulators

${RUN_USAGE}

${SCENARIO_USAGE}

${DISTRICT_USAGE}

npm run sim -- estimate [--scale N]     counts, message rates, expected alert rate`;

const COMMANDS: Record<string, (argv: string[]) => void | Promise<void>> = {
  run: runCommand,
  scenario: scenarioCommand,
  district: districtCommand,
  fleet: fleetCommand,
  estimate: estimateCommand,
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  const handler = COMMANDS[command];
  if (!handler) throw new CliError(`unknown command "${command}"\n\n${USAGE}`, 2);
  await handler(rest);
}

main(process.argv.slice(2))
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    if (err instanceof CliError || err instanceof ServerApiError) console.error(`error: ${err.message}`);
    else if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
      console.error(`error: ${err.message}\n\n${USAGE}`);
    else console.error(err);
    process.exit(err instanceof CliError ? err.exitCode : 1);
  });
