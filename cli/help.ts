/**
 * The help texts: the whole tool, a command group, one command.
 */
import type { Command } from './command.ts';
import { defaultUrl } from './http.ts';

const globalHelp = `Global options:
  --url URL     the npswave stack (env NPSWAVE_URL; default ${defaultUrl})
  --key KEY     the admin key (env NPSWAVE_ADMIN_KEY; npm start prints it)
  --json        machine-readable JSON on stdout, no progress bar
  -h, --help    help, for the tool or a command (npswave score --help)
  --version     the version of npswave`;

const exitHelp = 'Exit status: 0 on success, 1 on failure, 2 for a usage error, 130 when interrupted.';

export function toolHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.words.join(' ').length));
  const list = commands.map((c) => `  ${c.words.join(' ').padEnd(width)}  ${c.summary}`).join('\n');
  return `npswave: NPS, CSAT and CES surveys from the command line, over the admin API.

Usage: npswave <command> [options]

Commands:
${list}

${globalHelp}

${exitHelp}
`;
}

export function groupHelp(group: string, commands: readonly Command[]): string {
  const list = commands.map((c) => `  npswave ${c.usage}\n      ${c.summary}`).join('\n');
  return `Usage:\n${list}\n\nRun npswave ${group} <command> --help for details.\n`;
}

export function commandHelp(command: Command): string {
  return `Usage: npswave ${command.usage}

${command.summary}.

${command.help}

${globalHelp}

${exitHelp}
`;
}
