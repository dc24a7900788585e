/**
 * `npswave followups list | close | reopen`: the follow-ups alert rules open for answers, so that
 * someone gets back to the person; listed open (overdue first) or closed, closed with a note.
 */
import * as v from 'valibot';
import { type Command, type Context, stringValue } from '../command.ts';
import { CliError, UsageError } from '../errors.ts';
import { renderTable } from '../table.ts';
import { painter, stdoutHasColour } from '../terminal.ts';

const followUp = v.looseObject({
  id: v.string(),
  surveyId: v.optional(v.string()),
  surveyName: v.optional(v.string()),
  score: v.optional(v.number()),
  segment: v.optional(v.string()),
  comment: v.optional(v.nullable(v.string())),
  contactEmail: v.optional(v.nullable(v.string())),
  assignee: v.optional(v.nullable(v.string())),
  status: v.optional(v.string()),
  dueAt: v.optional(v.string()),
  closedAt: v.optional(v.nullable(v.string())),
  note: v.optional(v.nullable(v.string())),
  /** When the server says so; otherwise judged from dueAt and this machine's clock. */
  overdue: v.optional(v.boolean()),
});
export type FollowUpRow = v.InferOutput<typeof followUp>;

const followUpPage = v.looseObject({
  followUps: v.array(followUp),
  cursor: v.optional(v.nullable(v.string())),
});

const statuses = ['open', 'closed'] as const;

/** A comment on one line, cut to `max` characters (between characters, never inside a pair). */
export function excerpt(text: string | null | undefined, max = 40): string {
  const chars = [...(text ?? '').replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/** 2026-03-02T14:05:09.123Z → "2026-03-02 14:05Z": short, and unambiguous about the zone. */
export const shortTime = (iso: string | null | undefined): string =>
  iso ? iso.replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}).*$/, '$1 $2Z') : '-';

export const isOverdue = (f: FollowUpRow, nowMs: number): boolean =>
  f.overdue ?? (f.status !== 'closed' && f.dueAt !== undefined && Date.parse(f.dueAt) < nowMs);

export function renderFollowUps(rows: FollowUpRow[], nowMs: number, colour: boolean): string {
  const paint = painter(colour);
  const closed = rows.length > 0 && rows.every((f) => f.status === 'closed');
  const table = rows.map((f) => {
    const due = closed ? shortTime(f.closedAt) : shortTime(f.dueAt);
    const late = isOverdue(f, nowMs);
    return [
      f.id,
      excerpt(f.surveyName ?? f.surveyId, 24),
      f.score === undefined ? '-' : String(f.score),
      f.segment ?? '-',
      f.assignee ? excerpt(f.assignee, 24) : '-',
      // Overdue is said in words; the colour only helps on a terminal.
      late ? paint('red', `${due} OVERDUE`) : due,
      f.comment ? excerpt(f.comment) : '-',
    ];
  });
  return renderTable(
    [
      { title: 'ID' },
      { title: 'SURVEY' },
      { title: 'SCORE', align: 'right' },
      { title: 'SEGMENT' },
      { title: 'ASSIGNEE' },
      { title: closed ? 'CLOSED' : 'DUE' },
      { title: 'COMMENT' },
    ],
    table,
  );
}

const list: Command = {
  words: ['followups', 'list'],
  args: [],
  options: { status: { type: 'string' }, survey: { type: 'string' } },
  summary: 'List the follow-ups (open ones by due time, the overdue first)',
  usage: 'followups list [--status open|closed] [--survey ID]',
  help: `Lists the follow-ups that alert rules opened (GET /api/followups, every page) as a table: id,
survey, score, segment, assignee, due time (UTC; "OVERDUE" when it has passed, red on a terminal)
and the start of the comment.

  --status STATUS   open (the default: by due time, the overdue first) or closed (the most
                    recently closed first; the table shows when each was closed)
  --survey ID       only this survey's follow-ups

With --json: the array of follow-ups.`,
  async run(ctx, { values }) {
    const status = stringValue(values, 'status') ?? 'open';
    if (!(statuses as readonly string[]).includes(status)) {
      throw new UsageError(`--status must be open or closed, not "${status}"`);
    }
    const followUps = await listAll(ctx, status, stringValue(values, 'survey'));
    if (ctx.json) {
      ctx.printJson(followUps);
      return;
    }
    if (followUps.length === 0) {
      ctx.print(status === 'open' ? 'No open follow-ups.' : 'No closed follow-ups.');
      return;
    }
    ctx.print(renderFollowUps(followUps, Date.now(), stdoutHasColour()));
  },
};

async function listAll(ctx: Context, status: string, surveyId: string | undefined): Promise<FollowUpRow[]> {
  const all: FollowUpRow[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const raw = await ctx.api().json('GET', '/api/followups', {
      query: { status, surveyId, cursor },
      retry: true,
    });
    const page = v.safeParse(followUpPage, raw);
    if (!page.success) throw new CliError('unexpected answer from GET /api/followups');
    all.push(...page.output.followUps);
    const next = page.output.cursor ?? undefined;
    if (next !== undefined && seen.has(next)) {
      throw new CliError('the server answered the same page of GET /api/followups twice; stopping');
    }
    if (next !== undefined) seen.add(next);
    cursor = next;
  } while (cursor !== undefined);
  return all;
}

async function patchFollowUp(ctx: Context, id: string, body: Record<string, unknown>): Promise<FollowUpRow> {
  const raw = await ctx.api().json('PATCH', `/api/followups/${encodeURIComponent(id)}`, {
    body: JSON.stringify(body),
    contentType: 'application/json',
  });
  const parsed = v.safeParse(followUp, raw);
  if (!parsed.success) throw new CliError(`unexpected answer from PATCH /api/followups/${id}`);
  return parsed.output;
}

const close: Command = {
  words: ['followups', 'close'],
  args: ['ID'],
  options: { note: { type: 'string' } },
  summary: 'Close a follow-up, with a note saying what was done',
  usage: 'followups close ID --note TEXT',
  help: `Closes a follow-up (PATCH /api/followups/ID {"status": "closed", "note"}). The note is
required: it says what was done, and stays in the follow-up's history.

  --note TEXT   what was done (required)

With --json: the follow-up.`,
  async run(ctx, { args: [id = ''], values }) {
    const note = typeof values.note === 'string' ? values.note.trim() : '';
    if (note === '') throw new UsageError('followups close needs --note TEXT saying what was done');
    const closed = await patchFollowUp(ctx, id, { status: 'closed', note });
    if (ctx.json) ctx.printJson(closed);
    else ctx.print(`Follow-up ${closed.id} is ${closed.status ?? 'closed'}.`);
  },
};

const reopen: Command = {
  words: ['followups', 'reopen'],
  args: ['ID'],
  options: {},
  summary: 'Reopen a closed follow-up',
  usage: 'followups reopen ID',
  help: `Reopens a follow-up (PATCH /api/followups/ID {"status": "open"}) and prints when it is due.

With --json: the follow-up.`,
  async run(ctx, { args: [id = ''] }) {
    const opened = await patchFollowUp(ctx, id, { status: 'open' });
    if (ctx.json) ctx.printJson(opened);
    else ctx.print(`Follow-up ${opened.id} is ${opened.status ?? 'open'}, due ${shortTime(opened.dueAt)}.`);
  },
};

export const followUpCommands: Command[] = [list, close, reopen];
