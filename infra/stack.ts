/**
 * The one npswave stack (`cdk deploy` deploys everything): the stateful construct, the stateless
 * construct that receives it, and the outputs a team needs after a deploy.
 */
import { type App, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type DeployConfig, readDeployConfig } from './config.ts';
import { Stateful } from './stateful.ts';
import { Stateless } from './stateless.ts';

export const stackName = 'NpsWave';

export interface NpsWaveStackProps extends StackProps {
  config: DeployConfig;
}

export class NpsWaveStack extends Stack {
  readonly data: Stateful;
  readonly app: Stateless;

  constructor(scope: Construct, id: string, props: NpsWaveStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.data = new Stateful(this, 'Data', { config });
    this.app = new Stateless(this, 'App', { config, data: this.data });

    const url = this.app.http.url;
    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the response pages and the admin API',
      value: url,
    });
    new CfnOutput(this, 'DashboardUrl', { description: 'The admin dashboard', value: `${url}/admin` });
    new CfnOutput(this, 'AdminKeySecretArn', {
      description: 'Secrets Manager secret holding the first admin key',
      value: this.data.adminKey.secretArn,
    });
    new CfnOutput(this, 'AdminKeyCommand', {
      description: 'Prints the first admin key',
      value: Fn.join('', [
        'aws secretsmanager get-secret-value --secret-id ',
        this.data.adminKey.secretArn,
        ' --region ',
        this.region,
        ' --query SecretString --output text',
      ]),
    });
    new CfnOutput(this, 'ScheduleGroupName', { value: this.app.schedules.groupName });
    new CfnOutput(this, 'ConfigurationSetName', { value: this.data.configurationSet.configurationSetName });
    const identity = this.data.identity;
    new CfnOutput(this, 'SenderIdentityDkim', {
      description:
        'DNS records that verify the sender domain (Easy DKIM); SES sends nothing until they resolve',
      value: Fn.join('', [
        `Add 3 CNAME records for ${config.senderDomain}: `,
        identity.dkimDnsTokenName1,
        ' -> ',
        identity.dkimDnsTokenValue1,
        ' ; ',
        identity.dkimDnsTokenName2,
        ' -> ',
        identity.dkimDnsTokenValue2,
        ' ; ',
        identity.dkimDnsTokenName3,
        ' -> ',
        identity.dkimDnsTokenValue3,
      ]),
    });
    const domain = this.app.http.domain;
    if (domain !== undefined) {
      new CfnOutput(this, 'CustomDomainTarget', {
        description: `Point ${config.customDomain} here (CNAME or alias)`,
        value: domain.regionalDomainName,
      });
    }
  }
}

/** Builds the npswave stack in an app, configured from the app's context. */
export function buildNpsWave(app: App): NpsWaveStack {
  const config = readDeployConfig(app.node);
  return new NpsWaveStack(app, stackName, {
    config,
    description: 'npswave: self-hosted NPS, CSAT and CES surveys',
  });
}
