/** Every command of the tool, in the order `npswave --help` lists them. */
import type { Command } from '../command.ts';
import { contactCommands } from './contacts.ts';
import { followUpCommands } from './followups.ts';
import { responseCommands } from './responses.ts';
import { scoreCommands } from './score.ts';
import { surveyCommands } from './surveys.ts';
import { waveCommands } from './waves.ts';
import { webhookCommands } from './webhooks.ts';

export const commands: readonly Command[] = [
  ...contactCommands,
  ...surveyCommands,
  ...waveCommands,
  ...scoreCommands,
  ...responseCommands,
  ...followUpCommands,
  ...webhookCommands,
];
