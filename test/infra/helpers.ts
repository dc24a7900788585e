/** Shared by the infra tests: apps configured like `cdk synth`, and template readers. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { NpsWaveStack } from '../../infra/stack.ts';
import type { FunctionName } from '../../shared/routes.ts';

export type Json = Record<string, unknown>;

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** Folder under functions/ of each function; its physical name is `NpsWave-<folder>`. */
export const functionDirs: Record<FunctionName, string> = {
  api: 'api',
  respond: 'respond',
  send: 'send',
  remind: 'remind',
  expire: 'expire',
  score: 'score',
  sesEvents: 'ses-events',
  alerts: 'alerts',
  deliver: 'deliver',
  digest: 'digest',
};
export const functionNames = Object.keys(functionDirs) as FunctionName[];

const outdirs: string[] = [];

/**
 * An app with the context of cdk.json. `full` apps bundle the functions and run CDK's built-in
 * CloudFormation schema validation, as `cdk synth` does; the others skip both, for speed.
 */
export function newApp(context: Record<string, unknown> = {}, full = false): App {
  const outdir = mkdtempSync(path.join(tmpdir(), 'npswave-cdk-'));
  outdirs.push(outdir);
  return new App({
    outdir,
    builtinCloudFormationValidation: full,
    context: { ...cdkJson.context, ...context, ...(full ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
}

/** Removes the cloud assemblies of the apps made so far (call from afterAll). */
export function removeApps(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** `arn:${Partition}:<service>:${Region}:${AccountId}:<rest>` as CloudFormation renders it. */
export const arn = (service: string, rest: string): unknown => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${rest}`,
    ],
  ],
});
export const functionArn = (name: FunctionName): unknown =>
  arn('lambda', `function:NpsWave-${functionDirs[name]}`);

export interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: Json;
}

export const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** Reads a synthesised npswave stack: resources by type, functions by name, grants by role. */
export class StackReader {
  readonly template: Template;

  constructor(readonly stack: NpsWaveStack) {
    this.template = Template.fromStack(stack);
  }

  resources(type: string): Record<string, Json> {
    return this.template.findResources(type) as Record<string, Json>;
  }

  /** The logical id of a construct's CloudFormation resource. */
  logicalId(c: { node: { defaultChild?: unknown } }): string {
    return this.stack.getLogicalId(c.node.defaultChild as CfnElement);
  }

  /** [logical id, resource] of the function named `NpsWave-<folder>`. */
  lambda(name: FunctionName): [string, Json] {
    const physical = `NpsWave-${functionDirs[name]}`;
    const found = Object.entries(this.resources('AWS::Lambda::Function')).filter(
      ([, r]) => props(r).FunctionName === physical,
    );
    if (found.length !== 1) throw new Error(`expected one function ${physical}, found ${found.length}`);
    return found[0] as [string, Json];
  }

  environment(name: FunctionName): Json {
    return (props(this.lambda(name)[1]).Environment as { Variables: Json }).Variables;
  }

  statementsOfRole(roleId: string): Statement[] {
    return Object.values(this.resources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(props(p).Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p) => (props(p).PolicyDocument as { Statement: Statement[] }).Statement);
  }

  /** resource (as JSON) -> sorted actions, over every Allow statement of the role's policies. */
  grantsOfRole(roleId: string): Record<string, string[]> {
    const grants = new Map<string, Set<string>>();
    for (const s of this.statementsOfRole(roleId)) {
      if (s.Effect !== 'Allow') throw new Error(`unexpected ${s.Effect} statement`);
      for (const resource of list(s.Resource)) {
        const key = JSON.stringify(resource);
        const actions = grants.get(key) ?? new Set<string>();
        for (const a of list(s.Action)) actions.add(a);
        grants.set(key, actions);
      }
    }
    return Object.fromEntries([...grants].map(([k, v]) => [k, [...v].sort()]));
  }

  /** The same shape as grantsOfRole, from [resource (token or literal), actions] pairs. */
  grants(entries: [unknown, string[]][]): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [resource, actions] of entries) {
      const key = JSON.stringify(this.stack.resolve(resource));
      out[key] = [...new Set([...(out[key] ?? []), ...actions])].sort();
    }
    return out;
  }
}

export const props = (r: Json): Json => r.Properties as Json;
