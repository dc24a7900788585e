/**
 * The schedules and schedule groups of the Scheduler stand-in, with EventBridge Scheduler's rules
 * (names unique per group, groups must exist, idempotent ClientToken), kept in
 * `<dataDir>/schedules.json` and rewritten atomically after every change.
 */
import { join } from 'node:path';
import * as v from 'valibot';
import { nowMs } from '../shared/clock.ts';
import { ExpressionError, parseScheduleExpression } from '../shared/schedule/expression.ts';
import { localAccount, localRegion } from './env.ts';
import { jsonFileWriter, readJsonFile } from './json-file.ts';

export type SchedulerErrorType = 'ResourceNotFoundException' | 'ConflictException' | 'ValidationException';

export class SchedulerError extends Error {
  override name = 'SchedulerError';
  constructor(
    readonly type: SchedulerErrorType,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return { ResourceNotFoundException: 404, ConflictException: 409, ValidationException: 400 }[this.type];
  }
}

const name = v.pipe(v.string(), v.regex(/^[0-9a-zA-Z\-_.]{1,64}$/, 'must be 1-64 of [0-9a-zA-Z-_.]'));
const epochSeconds = v.number();

/** The body of CreateSchedule and UpdateSchedule (REST-JSON; timestamps in epoch seconds). */
export const scheduleInput = v.object({
  ScheduleExpression: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  ScheduleExpressionTimezone: v.optional(v.string()),
  StartDate: v.optional(epochSeconds),
  EndDate: v.optional(epochSeconds),
  Description: v.optional(v.pipe(v.string(), v.maxLength(512))),
  State: v.optional(v.picklist(['ENABLED', 'DISABLED'])),
  KmsKeyArn: v.optional(v.string()),
  Target: v.looseObject({
    Arn: v.pipe(v.string(), v.minLength(1)),
    RoleArn: v.pipe(v.string(), v.minLength(1)),
    Input: v.optional(v.string()),
    RetryPolicy: v.optional(
      v.object({
        MaximumEventAgeInSeconds: v.optional(v.number()),
        MaximumRetryAttempts: v.optional(v.number()),
      }),
    ),
  }),
  FlexibleTimeWindow: v.object({
    Mode: v.picklist(['OFF', 'FLEXIBLE']),
    MaximumWindowInMinutes: v.optional(v.number()),
  }),
  GroupName: v.optional(name),
  ActionAfterCompletion: v.optional(v.picklist(['NONE', 'DELETE'])),
  ClientToken: v.optional(v.string()),
});
export type ScheduleInput = v.InferOutput<typeof scheduleInput>;

export interface StoredSchedule extends Omit<ScheduleInput, 'GroupName' | 'ClientToken'> {
  Name: string;
  GroupName: string;
  Arn: string;
  State: 'ENABLED' | 'DISABLED';
  CreationDate: number;
  LastModificationDate: number;
  /** Local bookkeeping, never returned: what the next occurrence counts from. */
  local: { anchorMs: number; lastFiredMs?: number; clientToken?: string };
}

export interface StoredGroup {
  Name: string;
  Arn: string;
  State: 'ACTIVE';
  CreationDate: number;
  LastModificationDate: number;
}

const stateFile = v.object({
  groups: v.array(v.looseObject({ Name: v.string() })),
  schedules: v.array(v.looseObject({ Name: v.string(), GroupName: v.string() })),
});

const scheduleArn = (group: string, schedule: string) =>
  `arn:aws:scheduler:${localRegion}:${localAccount}:schedule/${group}/${schedule}`;
const groupArn = (group: string) =>
  `arn:aws:scheduler:${localRegion}:${localAccount}:schedule-group/${group}`;
const key = (group: string, schedule: string) => `${group}/${schedule}`;
const nowSeconds = () => nowMs() / 1000;

/** The order of ListSchedules (and of its NextToken): group, then name, by code point. */
export const sortKey = (s: Pick<StoredSchedule, 'GroupName' | 'Name'>): string =>
  `${s.GroupName}\u0000${s.Name}`;
export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class ScheduleStore {
  private readonly groups = new Map<string, StoredGroup>();
  private readonly schedules = new Map<string, StoredSchedule>();
  private readonly write: (value: unknown) => Promise<void>;

  private constructor(private readonly file: string) {
    this.write = jsonFileWriter(file);
  }

  static async open(dataDir: string): Promise<ScheduleStore> {
    const store = new ScheduleStore(join(dataDir, 'schedules.json'));
    const saved = await readJsonFile(store.file);
    if (saved !== undefined) {
      const parsed = v.parse(stateFile, saved);
      for (const group of parsed.groups as unknown as StoredGroup[]) store.groups.set(group.Name, group);
      for (const s of parsed.schedules as unknown as StoredSchedule[])
        store.schedules.set(key(s.GroupName, s.Name), s);
    }
    if (!store.groups.has('default')) store.putGroup('default');
    return store;
  }

  private putGroup(groupName: string): StoredGroup {
    const now = nowSeconds();
    const group: StoredGroup = {
      Name: groupName,
      Arn: groupArn(groupName),
      State: 'ACTIVE',
      CreationDate: now,
      LastModificationDate: now,
    };
    this.groups.set(groupName, group);
    return group;
  }

  private persist(): Promise<void> {
    return this.write({ groups: [...this.groups.values()], schedules: [...this.schedules.values()] });
  }

  async createGroup(groupName: string, options: { ifAbsent?: boolean } = {}): Promise<StoredGroup> {
    const existing = this.groups.get(groupName);
    if (existing) {
      if (options.ifAbsent) return existing;
      throw new SchedulerError('ConflictException', `Schedule group ${groupName} already exists.`);
    }
    const group = this.putGroup(groupName);
    await this.persist();
    return group;
  }

  getGroup(groupName: string): StoredGroup {
    const group = this.groups.get(groupName);
    if (!group)
      throw new SchedulerError('ResourceNotFoundException', `Schedule group ${groupName} does not exist.`);
    return group;
  }

  listGroups(): StoredGroup[] {
    return [...this.groups.values()].sort((a, b) => compare(a.Name, b.Name));
  }

  async deleteGroup(groupName: string): Promise<void> {
    this.getGroup(groupName);
    if (groupName === 'default')
      throw new SchedulerError('ValidationException', 'The default group cannot be deleted.');
    this.groups.delete(groupName);
    for (const [k, s] of this.schedules) if (s.GroupName === groupName) this.schedules.delete(k);
    await this.persist();
  }

  async create(scheduleName: string, input: ScheduleInput): Promise<StoredSchedule> {
    const groupName = input.GroupName ?? 'default';
    this.getGroup(groupName);
    const existing = this.schedules.get(key(groupName, scheduleName));
    if (existing) {
      // A retried request with the same ClientToken gets the same answer, as on AWS.
      if (input.ClientToken && existing.local.clientToken === input.ClientToken) return existing;
      throw new SchedulerError('ConflictException', `Schedule ${scheduleName} already exists.`);
    }
    const schedule = this.build(scheduleName, groupName, input, nowSeconds());
    this.schedules.set(key(groupName, scheduleName), schedule);
    await this.persist();
    return schedule;
  }

  async update(scheduleName: string, input: ScheduleInput): Promise<StoredSchedule> {
    const groupName = input.GroupName ?? 'default';
    const existing = this.get(scheduleName, groupName);
    // UpdateSchedule replaces every field, as on AWS; the occurrences count from now.
    const schedule = this.build(scheduleName, groupName, input, existing.CreationDate);
    this.schedules.set(key(groupName, scheduleName), schedule);
    await this.persist();
    return schedule;
  }

  private build(
    scheduleName: string,
    groupName: string,
    input: ScheduleInput,
    created: number,
  ): StoredSchedule {
    validateExpression(input);
    const { GroupName: _group, ClientToken, State, ...rest } = input;
    const local: StoredSchedule['local'] = { anchorMs: nowMs() };
    if (input.StartDate !== undefined) local.anchorMs = input.StartDate * 1000;
    if (ClientToken !== undefined) local.clientToken = ClientToken;
    return {
      ...rest,
      Name: scheduleName,
      GroupName: groupName,
      Arn: scheduleArn(groupName, scheduleName),
      State: State ?? 'ENABLED',
      CreationDate: created,
      LastModificationDate: nowSeconds(),
      local,
    };
  }

  get(scheduleName: string, groupName = 'default'): StoredSchedule {
    const schedule = this.schedules.get(key(groupName, scheduleName));
    if (!schedule) {
      throw new SchedulerError('ResourceNotFoundException', `Schedule ${scheduleName} does not exist.`);
    }
    return schedule;
  }

  async delete(scheduleName: string, groupName = 'default'): Promise<void> {
    this.get(scheduleName, groupName);
    this.schedules.delete(key(groupName, scheduleName));
    await this.persist();
  }

  /** Every schedule, ordered by group and name (the order ListSchedules pages through). */
  all(): StoredSchedule[] {
    return [...this.schedules.values()].sort((a, b) => compare(sortKey(a), sortKey(b)));
  }

  /** Records that an occurrence fired; removes the schedule when it is complete and asked to. */
  async markFired(schedule: StoredSchedule, occurrenceMs: number, complete: boolean): Promise<void> {
    const current = this.schedules.get(key(schedule.GroupName, schedule.Name));
    // Deleted or replaced while it fired: the new definition stands.
    if (current !== schedule) return;
    if (complete && schedule.ActionAfterCompletion === 'DELETE') {
      this.schedules.delete(key(schedule.GroupName, schedule.Name));
    } else {
      schedule.local.lastFiredMs = occurrenceMs;
    }
    await this.persist();
  }
}

function validateExpression(input: ScheduleInput): void {
  try {
    parseScheduleExpression(input.ScheduleExpression, input.ScheduleExpressionTimezone ?? 'UTC');
  } catch (err) {
    if (err instanceof ExpressionError) throw new SchedulerError('ValidationException', err.message);
    throw err;
  }
  if (input.StartDate !== undefined && input.EndDate !== undefined && input.EndDate <= input.StartDate) {
    throw new SchedulerError('ValidationException', 'The EndDate must be after the StartDate.');
  }
}
