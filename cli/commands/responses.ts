/**
 * `npswave responses export SURVEY_ID`: the survey's responses as CSV, streamed to stdout.
 */
import { once } from 'node:events';
import type { Command } from '../command.ts';

const exportResponses: Command = {
  words: ['responses', 'export'],
  args: ['SURVEY_ID'],
  options: {},
  summary: "Write a survey's responses to stdout as CSV",
  usage: 'responses export SURVEY_ID > responses.csv',
  help: `Streams GET /api/surveys/SURVEY_ID/responses?format=csv to stdout, so even a large export
never sits in memory. --json does not apply: the output is always CSV.`,
  async run(ctx, { args: [surveyId = ''] }) {
    const response = await ctx
      .api()
      .request('GET', `/api/surveys/${encodeURIComponent(surveyId)}/responses`, {
        query: { format: 'csv' },
        accept: 'text/csv',
        retry: true,
      });
    if (response.body === null) return;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!process.stdout.write(value)) await once(process.stdout, 'drain');
    }
  },
};

export const responseCommands: Command[] = [exportResponses];
