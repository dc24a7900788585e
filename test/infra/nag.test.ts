/**
 * cdk-nag's AwsSolutions rules as a gate (infra/nag.ts): the stack passes with every finding fixed
 * or acknowledged with a reason, every acknowledgement answers a real finding, and the gate fails
 * synthesis on findings of both levels, so a pass is not vacuous. cdk-nag 3 reports through CDK's
 * validation plugins (the validation report and a failed synthesis), not through annotations.
 */
import { type App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { applyNagChecks } from '../../infra/nag.ts';
import { buildNpsWave } from '../../infra/stack.ts';
import { newApp, removeApps } from './helpers.ts';

afterAll(removeApps);

interface MetadataNode {
  node: { metadata: { type: string; data: unknown }[]; children: unknown[] };
}

/** Every acknowledgement in the tree: rule id -> reason. */
function acknowledgedIn(root: App): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (c: MetadataNode): void => {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
        out.set(id.replace(/^annotation::/i, ''), reason);
      }
    }
    for (const child of c.node.children) visit(child as MetadataNode);
  };
  visit(root as unknown as MetadataNode);
  return out;
}

describe('cdk-nag (AwsSolutions)', () => {
  it('passes the stack: synthesis with the gate succeeds and finds nothing, error or warning', () => {
    const app = newApp();
    const stack = buildNpsWave(app);
    const gate = applyNagChecks(app);
    expect(() => Template.fromStack(stack)).not.toThrow();
    expect(gate.validateScope(app).violations).toEqual([]);
  });

  it('acknowledges only findings that exist, each with a real reason', () => {
    const app = newApp();
    buildNpsWave(app);
    const acknowledged = acknowledgedIn(app);
    expect(acknowledged.size).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(id).toMatch(/^AwsSolutions-/);
      expect(reason.length, id).toBeGreaterThan(60);
    }
    // The same stack with every acknowledgement ignored: its findings are exactly those acknowledged.
    const spy = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
    try {
      const bare = newApp();
      buildNpsWave(bare);
      const findings = applyNagChecks(newApp())
        .validateScope(bare)
        .violations.map((v) => v.ruleName);
      expect([...new Set(findings)].sort()).toEqual([...acknowledged.keys()].sort());
    } finally {
      spy.mockRestore();
    }
  });

  it('fails synthesis on a warning: a table without point-in-time recovery', () => {
    const bad = newApp();
    new dynamodb.Table(new Stack(bad, 'Throwaway'), 'NoPitr', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
    });
    const gate = applyNagChecks(bad);
    expect(gate.validateScope(bad).violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-DDB3']);
    expect(() => bad.synth()).toThrow(/AwsSolutions-DDB3/);
  });

  it('fails synthesis on an error: a queue that allows plain HTTP', () => {
    const bad = newApp();
    new sqs.Queue(new Stack(bad, 'Throwaway'), 'Plain', { encryption: sqs.QueueEncryption.SQS_MANAGED });
    applyNagChecks(bad);
    expect(() => bad.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});
