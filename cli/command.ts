/**
 * What a command is: its words, arguments and flags, its help, and the function that runs it with
 * a context that holds everything it may touch (the API, stdout, a progress bar).
 */
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';
import type { AdminApi } from './http.ts';
import type { ProgressBar } from './progress.ts';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | undefined>;

export interface Context {
  /** `--json`: machine-readable output on stdout, no progress bar. */
  json: boolean;
  env: NodeJS.ProcessEnv;
  /** The admin API client; made on first use, so `--help` needs no key. */
  api(): AdminApi;
  /** Writes text and a line break to stdout. */
  print(text: string): void;
  /** Writes a value as JSON to stdout. */
  printJson(value: unknown): void;
  /** A progress bar on stderr, drawn only on a terminal and never with `--json`. */
  progress(label: string, unit: string): ProgressBar;
}

export interface CommandInput {
  /** The positional arguments, one per name in `Command.args`. */
  args: string[];
  values: OptionValues;
}

export interface Command {
  /** e.g. ['contacts', 'import'] or ['score']. */
  words: readonly [string] | readonly [string, string];
  /** Names of the required positional arguments, e.g. ['SURVEY_ID']. */
  args: readonly string[];
  options: OptionSpecs;
  /** One line for the command list. */
  summary: string;
  /** The synopsis after `npswave `, e.g. `score SURVEY_ID [--by PROPERTY]`. */
  usage: string;
  /** The rest of `--help`: what it does, its flags, its output. */
  help: string;
  run(ctx: Context, input: CommandInput): Promise<void>;
}

export function stringValue(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (typeof value !== 'string') return undefined;
  if (value === '') throw new UsageError(`--${name} needs a value`);
  return value;
}

export const booleanValue = (values: OptionValues, name: string): boolean => values[name] === true;
