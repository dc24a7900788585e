/**
 * `npswave score SURVEY_ID [--by PROPERTY] [--wave ID]`: the survey's score, read from the
 * aggregates the server keeps, shown as figures and charts (or passed through as JSON).
 */
import * as v from 'valibot';
import { type Command, stringValue } from '../command.ts';
import { CliError } from '../errors.ts';
import { renderScore, scoreAnswer } from '../score-view.ts';
import { painter, stdoutHasColour } from '../terminal.ts';

const score: Command = {
  words: ['score'],
  args: ['SURVEY_ID'],
  options: {
    by: { type: 'string' },
    wave: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
  },
  summary: "Show a survey's score, distribution, trend and breakdowns",
  usage: 'score SURVEY_ID [--by PROPERTY] [--wave ID] [--from DATE] [--to DATE]',
  help: `Shows the score of a survey (GET /api/surveys/SURVEY_ID/score): for NPS the score with its
95 % margin of error and the promoter, passive and detractor counts; for CSAT the mean and the
share of satisfied answers; for CES the mean. Then the distribution of answers as a bar chart
(coloured by segment on a terminal; NO_COLOR turns colour off), the response rate and a line per
wave.

  --by PROPERTY   a table per value of a contact property (e.g. plan, region)
  --wave ID       only this wave
  --from DATE     only answers from this date (ISO 8601)
  --to DATE       only answers up to this date (ISO 8601)

With --json: the server's answer unchanged.`,
  async run(ctx, { args: [surveyId = ''], values }) {
    const by = stringValue(values, 'by');
    const query = {
      by,
      wave: stringValue(values, 'wave'),
      from: stringValue(values, 'from'),
      to: stringValue(values, 'to'),
    };
    const raw = await ctx
      .api()
      .json('GET', `/api/surveys/${encodeURIComponent(surveyId)}/score`, { query, retry: true });
    if (ctx.json) {
      ctx.printJson(raw);
      return;
    }
    const parsed = v.safeParse(scoreAnswer, raw);
    if (!parsed.success) throw new CliError(`unexpected answer from GET /api/surveys/${surveyId}/score`);
    ctx.print(renderScore(parsed.output, painter(stdoutHasColour()), by));
  },
};

export const scoreCommands: Command[] = [score];
