/**
 * The EventBridge Scheduler REST-JSON subset that @aws-sdk/client-scheduler speaks (wire shapes in
 * shared/docs/STACK.md): schedules and schedule groups. Errors carry `x-amzn-errortype` and
 * `{"Message"}`, which the SDK turns into ResourceNotFoundException, ConflictException, ...
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import { describeIssues } from '../shared/http.ts';
import { readBody, sendJson } from './http-util.ts';
import {
  SchedulerError,
  type ScheduleStore,
  type StoredGroup,
  type StoredSchedule,
  scheduleInput,
  sortKey,
} from './schedule-store.ts';

const maxBodyBytes = 1024 * 1024;

export async function handleSchedulerRequest(
  store: ScheduleStore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
  const query = url.searchParams;
  try {
    if (segments[0] === 'schedules' && segments.length === 2) {
      const name = segments[1] ?? '';
      if (method === 'POST') {
        const schedule = await store.create(name, await readInput(req));
        sendJson(res, 200, { ScheduleArn: schedule.Arn });
      } else if (method === 'PUT') {
        const schedule = await store.update(name, await readInput(req));
        sendJson(res, 200, { ScheduleArn: schedule.Arn });
      } else if (method === 'GET') {
        sendJson(res, 200, scheduleView(store.get(name, query.get('groupName') ?? 'default')));
      } else if (method === 'DELETE') {
        await store.delete(name, query.get('groupName') ?? 'default');
        sendJson(res, 200, {});
      } else {
        return false;
      }
      return true;
    }
    if (segments[0] === 'schedules' && segments.length === 1 && method === 'GET') {
      sendJson(res, 200, listSchedules(store, query));
      return true;
    }
    if (segments[0] === 'schedule-groups' && segments.length === 2) {
      const name = segments[1] ?? '';
      if (method === 'POST') {
        await readBody(req, maxBodyBytes);
        if (!/^[0-9a-zA-Z\-_.]{1,64}$/.test(name)) {
          throw new SchedulerError('ValidationException', 'Name must be 1-64 of [0-9a-zA-Z-_.]');
        }
        sendJson(res, 200, { ScheduleGroupArn: (await store.createGroup(name)).Arn });
      } else if (method === 'GET') {
        sendJson(res, 200, groupView(store.getGroup(name)));
      } else if (method === 'DELETE') {
        await store.deleteGroup(name);
        sendJson(res, 200, {});
      } else {
        return false;
      }
      return true;
    }
    if (segments[0] === 'schedule-groups' && segments.length === 1 && method === 'GET') {
      const prefix = query.get('NamePrefix') ?? '';
      const groups = store.listGroups().filter((g) => g.Name.startsWith(prefix));
      sendJson(
        res,
        200,
        page(groups, query, (g) => g.Name, groupView, 'ScheduleGroups'),
      );
      return true;
    }
    return false;
  } catch (err) {
    if (err instanceof SchedulerError) {
      sendJson(res, err.status, { Message: err.message }, { 'x-amzn-errortype': err.type });
      return true;
    }
    throw err;
  }
}

async function readInput(req: IncomingMessage) {
  let body: unknown;
  try {
    body = JSON.parse((await readBody(req, maxBodyBytes)).toString('utf8') || '{}');
  } catch {
    throw new SchedulerError('ValidationException', 'The request body is not valid JSON.');
  }
  const parsed = v.safeParse(scheduleInput, body);
  if (!parsed.success) throw new SchedulerError('ValidationException', describeIssues(parsed.issues));
  return parsed.output;
}

function scheduleView(schedule: StoredSchedule): Omit<StoredSchedule, 'local'> {
  const { local: _local, ...view } = schedule;
  return view;
}

const groupView = (group: StoredGroup) => group;

function listSchedules(store: ScheduleStore, query: URLSearchParams) {
  const group = query.get('ScheduleGroup');
  const prefix = query.get('NamePrefix') ?? '';
  const state = query.get('State');
  const schedules = store
    .all()
    .filter((s) => (group === null || s.GroupName === group) && s.Name.startsWith(prefix))
    .filter((s) => state === null || s.State === state);
  return page(
    schedules,
    query,
    sortKey,
    (s) => ({
      Arn: s.Arn,
      Name: s.Name,
      GroupName: s.GroupName,
      State: s.State,
      CreationDate: s.CreationDate,
      LastModificationDate: s.LastModificationDate,
      Target: { Arn: s.Target.Arn },
    }),
    'Schedules',
  );
}

/** A page of a sorted list; NextToken names the last item returned. */
function page<T, V>(
  items: T[],
  query: URLSearchParams,
  keyOf: (item: T) => string,
  view: (item: T) => V,
  field: string,
): Record<string, unknown> {
  const max = Number(query.get('MaxResults') ?? 100);
  if (!Number.isInteger(max) || max < 1 || max > 100) {
    throw new SchedulerError('ValidationException', 'MaxResults must be between 1 and 100.');
  }
  let start = 0;
  const token = query.get('NextToken');
  if (token) {
    const after = Buffer.from(token, 'base64url').toString('utf8');
    start = items.findIndex((item) => keyOf(item) > after);
    if (start < 0) start = items.length;
  }
  const slice = items.slice(start, start + max);
  const answer: Record<string, unknown> = { [field]: slice.map(view) };
  const last = slice.at(-1);
  if (start + max < items.length && last !== undefined) {
    answer.NextToken = Buffer.from(keyOf(last), 'utf8').toString('base64url');
  }
  return answer;
}
