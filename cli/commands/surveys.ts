/**
 * `npswave surveys create | publish | unpublish | list`.
 */
import { readFile } from 'node:fs/promises';
import * as v from 'valibot';
import { type Command, stringValue } from '../command.ts';
import { CliError, UsageError } from '../errors.ts';
import { renderTable } from '../table.ts';

const kinds = ['nps', 'csat', 'ces'] as const;

const survey = v.looseObject({
  id: v.string(),
  kind: v.optional(v.string()),
  name: v.optional(v.string()),
  state: v.optional(v.string()),
});
type Survey = v.InferOutput<typeof survey>;

/** `GET /api/surveys` answers a list, or a page `{"surveys"|"items": [...], "nextCursor"}`. */
const nextCursor = v.optional(v.nullable(v.string()));
const surveyPage = v.union([
  v.pipe(
    v.array(survey),
    v.transform((items) => ({ items, next: undefined })),
  ),
  v.pipe(
    v.looseObject({ surveys: v.array(survey), nextCursor }),
    v.transform((page) => ({ items: page.surveys, next: page.nextCursor ?? undefined })),
  ),
  v.pipe(
    v.looseObject({ items: v.array(survey), nextCursor }),
    v.transform((page) => ({ items: page.items, next: page.nextCursor ?? undefined })),
  ),
]);

const create: Command = {
  words: ['surveys', 'create'],
  args: [],
  options: {
    kind: { type: 'string' },
    name: { type: 'string' },
    company: { type: 'string' },
    file: { type: 'string' },
  },
  summary: 'Create a survey (as a draft)',
  usage: 'surveys create --kind nps|csat|ces --name NAME [--company NAME] [--file survey.json]',
  help: `Creates a survey with POST /api/surveys and prints its id.

  --kind KIND       nps, csat or ces
  --name NAME       the survey's name (shown to admins)
  --company NAME    the company named in the question ("How likely are you to recommend NAME…")
  --file FILE       a JSON object with any survey fields (audience, cadence, reminders, alerts…;
                    see CONTRACT.md); --kind, --name and --company override its fields

With --json: the created survey.`,
  async run(ctx, { values }) {
    const fromFile = await readSurveyFile(stringValue(values, 'file'));
    const kind = stringValue(values, 'kind');
    if (kind !== undefined && !(kinds as readonly string[]).includes(kind)) {
      throw new UsageError(`--kind must be nps, csat or ces, not "${kind}"`);
    }
    const body: Record<string, unknown> = { ...fromFile };
    if (kind !== undefined) body.kind = kind;
    const name = stringValue(values, 'name');
    if (name !== undefined) body.name = name;
    const company = stringValue(values, 'company');
    if (company !== undefined) body.companyName = company;
    if (body.kind === undefined) throw new UsageError('surveys create needs --kind nps|csat|ces');
    if (body.name === undefined) throw new UsageError('surveys create needs --name NAME');

    const created = parseSurvey(
      await ctx
        .api()
        .json('POST', '/api/surveys', { body: JSON.stringify(body), contentType: 'application/json' }),
    );
    if (ctx.json) ctx.printJson(created);
    else ctx.print(created.id);
  },
};

const stateChange = (verb: 'publish' | 'unpublish', summary: string): Command => ({
  words: ['surveys', verb],
  args: ['ID'],
  options: {},
  summary,
  usage: `surveys ${verb} ID`,
  help: `${summary} with POST /api/surveys/ID/${verb} and prints its new state.

With --json: the survey.`,
  async run(ctx, { args: [id = ''] }) {
    const changed = parseSurvey(
      await ctx.api().json('POST', `/api/surveys/${encodeURIComponent(id)}/${verb}`),
    );
    if (ctx.json) ctx.printJson(changed);
    else ctx.print(`Survey ${changed.id} is now ${changed.state ?? `${verb}ed`}.`);
  },
});

const list: Command = {
  words: ['surveys', 'list'],
  args: [],
  options: {},
  summary: 'List the surveys',
  usage: 'surveys list',
  help: `Lists the surveys (GET /api/surveys) as a table: id, kind, name, state.

With --json: the array of surveys.`,
  async run(ctx) {
    const surveys: Survey[] = [];
    let cursor: string | undefined;
    do {
      const raw = await ctx.api().json('GET', '/api/surveys', { query: { cursor }, retry: true });
      const page = v.safeParse(surveyPage, raw);
      if (!page.success) throw new CliError('unexpected answer from GET /api/surveys');
      surveys.push(...page.output.items);
      cursor = page.output.next;
    } while (cursor !== undefined);
    if (ctx.json) {
      ctx.printJson(surveys);
      return;
    }
    if (surveys.length === 0) {
      ctx.print('No surveys yet: create one with npswave surveys create --kind nps --name NAME');
      return;
    }
    const rows = surveys.map((s) => [s.id, s.kind ?? '-', s.name ?? '-', s.state ?? '-']);
    ctx.print(renderTable([{ title: 'ID' }, { title: 'KIND' }, { title: 'NAME' }, { title: 'STATE' }], rows));
  },
};

export const surveyCommands: Command[] = [
  create,
  stateChange('publish', 'Publish a survey, so that waves can be sent'),
  stateChange('unpublish', 'Unpublish a survey (no new waves or invitations)'),
  list,
];

/** The survey in an answer; every field the server sent is kept, for --json. */
function parseSurvey(raw: unknown): Survey {
  const parsed = v.safeParse(survey, raw);
  if (!parsed.success) throw new CliError('unexpected answer from the server: no survey id');
  return parsed.output;
}

async function readSurveyFile(file: string | undefined): Promise<Record<string, unknown>> {
  if (file === undefined) return {};
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
    throw new CliError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`${file} must hold a JSON object of survey fields`);
  }
  return { ...parsed };
}
