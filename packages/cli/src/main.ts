import { parseArgs } from './args.js';
import { contractCommand } from './contract.js';
import { coverageCommand } from './coverage.js';
import { sloCommand } from './slo.js';
import { updateActionDocs } from './docs.js';
import { EXIT, type CliIo } from './io.js';

export const HELP = `Usage: myco-gates <command> [flags]

Commands:
  coverage   run the coverage gate locally, exactly as the action does (myco-gates coverage --help)
  contract   run the openapi-contract gate locally: lint, breaking changes, client sync (myco-gates contract --help)
  slo        slo generate [spec] [--check]: Prometheus rules and Grafana dashboards from an SLO spec
             slo validate --prometheus-url … --slo-spec … --since …: the post-deploy SLO decision (--help)
  docs       regenerate the inputs/outputs/permissions tables of actions/*/README.md (--check: only verify)
`;

/**
 * The CLI: dispatches to a command.
 * @param argv arguments after the program name.
 * @param io streams, environment and folder.
 * @returns the exit code (0 pass, 1 gate failed, 2 could not run).
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const args = parseArgs(rest);
  switch (command) {
    case 'coverage':
      return coverageCommand(args, io);
    case 'contract':
      return contractCommand(args, io);
    case 'slo':
      return sloCommand(args, io);
    case 'docs': {
      const results = updateActionDocs(args.positional[0] ?? io.cwd, { check: args.flags.has('check') });
      const outdated = results.filter((r) => r.outdated);
      for (const r of outdated) io.stderr(`${args.flags.has('check') ? 'out of date' : 'updated'}: ${r.readme}\n`);
      if (args.flags.has('check') && outdated.length) {
        io.stderr('Run `npx tsx packages/cli/src/index.ts docs` and commit the READMEs.\n');
        return EXIT.fail;
      }
      return EXIT.pass;
    }
    case undefined:
    case 'help':
    case '--help':
      io.stdout(HELP);
      return command === undefined ? EXIT.error : EXIT.pass;
    default:
      io.stderr(`myco-gates: unknown command \`${command}\`\n${HELP}`);
      return EXIT.error;
  }
}
