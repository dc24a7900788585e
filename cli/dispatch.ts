/**
 * From argv to a command: finds the command by its words, parses its flags strictly, checks its
 * arguments, prints help or the version, and runs it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Command, type Context, type OptionSpecs, type OptionValues, stringValue } from './command.ts';
import { commands } from './commands/index.ts';
import { exitCodes, UsageError } from './errors.ts';
import { commandHelp, groupHelp, toolHelp } from './help.ts';
import { AdminApi, apiConfig } from './http.ts';
import { ProgressBar } from './progress.ts';

const globalOptions: OptionSpecs = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
};

/** Runs the tool and answers its exit code; failures are thrown as CliError. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  // A first, lenient pass with every flag known only finds the command words.
  const everyOption = Object.assign({}, globalOptions, ...commands.map((c) => c.options));
  const loose = parseArgs({ args: argv, options: everyOption, strict: false, allowPositionals: true });
  if (loose.values.version === true) {
    process.stdout.write(`${version()}\n`);
    return exitCodes.ok;
  }
  const help = loose.values.help === true;
  const [first, second] = loose.positionals;
  if (first === undefined) {
    if (!help) throw new UsageError('missing command; run npswave --help');
    process.stdout.write(toolHelp(commands));
    return exitCodes.ok;
  }
  const group = commands.filter((c) => c.words[0] === first);
  if (group.length === 0) throw new UsageError(`unknown command "${first}"; run npswave --help`);
  const command = group.find((c) => c.words.length === 1 || c.words[1] === second);
  if (command === undefined) {
    if (second === undefined && help) {
      process.stdout.write(groupHelp(first, group));
      return exitCodes.ok;
    }
    const names = group.map((c) => c.words[1]).join(', ');
    if (second === undefined) throw new UsageError(`missing ${first} command: ${names}`);
    throw new UsageError(`unknown command "${first} ${second}"; ${first} commands are ${names}`);
  }

  const { values, positionals } = parseStrictly(argv, command);
  if (values.help === true) {
    process.stdout.write(commandHelp(command));
    return exitCodes.ok;
  }
  const args = positionals.slice(command.words.length);
  const missing = command.args[args.length];
  if (missing !== undefined) throw new UsageError(`missing ${missing}; usage: npswave ${command.usage}`);
  const extra = args[command.args.length];
  if (extra !== undefined)
    throw new UsageError(`unexpected argument "${extra}"; usage: npswave ${command.usage}`);

  await command.run(contextOf(values, env), { args, values });
  return exitCodes.ok;
}

function parseStrictly(argv: string[], command: Command): { values: OptionValues; positionals: string[] } {
  try {
    const options = { ...globalOptions, ...command.options };
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    const flat: OptionValues = {};
    for (const [name, value] of Object.entries(values)) {
      // No option of ours is `multiple`; the last occurrence would be the one that counts.
      flat[name] = Array.isArray(value) ? value.at(-1) : value;
    }
    return { values: flat, positionals };
  } catch (err) {
    const name = command.words.join(' ');
    throw new UsageError(`${describeParseError(err)}; run npswave ${name} --help`);
  }
}

/** Node's parseArgs messages are long and end with advice about `--`: keep what went wrong. */
function describeParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    return message.includes('argument missing') ? `${option} needs a value` : `${option} takes no value`;
  }
  return message.split('. ')[0] ?? message;
}

function contextOf(values: OptionValues, env: NodeJS.ProcessEnv): Context {
  const json = values.json === true;
  const config = apiConfig({ url: stringValue(values, 'url'), key: stringValue(values, 'key') }, env);
  let api: AdminApi | undefined;
  return {
    json,
    env,
    api: () => {
      api ??= new AdminApi(config);
      return api;
    },
    print: (text) => process.stdout.write(`${text}\n`),
    printJson: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    progress: (label, unit) =>
      new ProgressBar(label, unit, process.stderr, process.stderr.isTTY === true && !json),
  };
}

function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
}
