/**
 * cdk-nag's AwsSolutions rules as a synthesis gate. cdk-nag 3 is a CDK validation plugin: CDK fails
 * synthesis on its errors but only prints its warnings (AwsSolutions-DDB3, a table without
 * point-in-time recovery, is a warning). npswave treats every unacknowledged finding as an error,
 * so a finding is either fixed or acknowledged next to its resource with
 * `Validations.of(construct).acknowledge({ id, reason })`.
 */

import {
  type App,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  Validations,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export class EveryFindingIsAnError implements IPolicyValidationPlugin {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];

  constructor(private readonly pack: NagPack) {
    // Same name as the pack: CDK's report and its "Acknowledge with ..." hints stay the pack's.
    this.name = pack.name;
    if (pack.version !== undefined) this.version = pack.version;
    if (pack.ruleIds !== undefined) this.ruleIds = pack.ruleIds;
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return strict(this.pack.validate(context));
  }

  /** Checks a construct tree directly (tests), with the same strictness. */
  validateScope(scope: IConstruct): PolicyValidationPluginReport {
    return strict(this.pack.validateScope(scope));
  }
}

function strict(report: PolicyValidationPluginReport): PolicyValidationPluginReport {
  return {
    ...report,
    success: report.violations.length === 0,
    violations: report.violations.map((v) => ({ ...v, severity: 'error' })),
  };
}

/** Registers the AwsSolutions checks on an app; synthesis then fails on any unacknowledged finding. */
export function applyNagChecks(app: App): EveryFindingIsAnError {
  const plugin = new EveryFindingIsAnError(new AwsSolutionsChecks(app));
  Validations.of(app).addPlugins(plugin);
  return plugin;
}
