/**
 * The HTTP API in front of the pages, the admin API and the dashboard: one route per entry of the
 * shared route table (the local gateway serves the same table), access logs, stage throttling and
 * an optional custom domain. Admin authentication happens inside the `api` function, because admin
 * keys are revocable records in DynamoDB and the public pages must stay open.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HttpFunction, Route } from '../shared/routes.ts';
import type { DeployConfig } from './config.ts';

/** Stage-wide throttling defaults (requests per second, burst); well under the account's 10,000/s. */
export const stageThrottle = { rateLimit: 200, burstLimit: 400 } as const;

/**
 * Access log line. It logs the route key, never the path: paths carry invitation tokens, and a
 * token is the only key to its response page.
 */
const accessLogFormat = JSON.stringify({
  requestId: '$context.requestId',
  time: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
});

/** Why no API Gateway authorizer guards each kind of route (cdk-nag AwsSolutions-APIG4). */
const authorizationReasons: Record<Route['auth'], string> = {
  public:
    'Public page: a response page is reached by its unguessable invitation token (>= 128 random bits), the only credential a recipient has; the dashboard sign-in page takes the admin key in its form and is rate-limited per address.',
  admin:
    'Admin route: the api function authenticates every request itself against revocable admin keys (SHA-256 records in the system table), which an API Gateway authorizer cannot revoke instantly.',
  session:
    'Dashboard page: the api function checks a server-side session (random 256-bit id, SHA-256 stored in the system table, HttpOnly SameSite=Strict Secure cookie, ended at sign-out, expiry or key revocation) and a CSRF token on every form.',
};

export interface HttpEndpointProps {
  config: DeployConfig;
  name: string;
  logRetention: logs.RetentionDays;
}

export class HttpEndpoint extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly domain?: apigw.DomainName;
  /** Base URL of the pages and the API, without a trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: HttpEndpointProps) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'Api', {
      apiName: props.name,
      description: 'npswave: response pages, admin API and dashboard',
      createDefaultStage: false,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: stageThrottle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(accessLogFormat),
      },
    });

    const { customDomain, certificateArn } = props.config;
    if (customDomain !== undefined && certificateArn !== undefined) {
      this.domain = new apigw.DomainName(this, 'Domain', {
        domainName: customDomain,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn),
      });
      new apigw.ApiMapping(this, 'Mapping', { api: this.api, domainName: this.domain, stage: this.stage });
      this.url = `https://${customDomain}`;
    } else {
      this.url = this.api.apiEndpoint;
    }
  }

  /** One HTTP API route per entry, each to the function named by the entry. */
  addRoutes(entries: readonly Route[], handlers: Record<HttpFunction, lambda.IFunction>): void {
    const integrations = {} as Record<HttpFunction, HttpLambdaIntegration>;
    for (const name of Object.keys(handlers) as HttpFunction[]) {
      integrations[name] = new HttpLambdaIntegration(`${name}Integration`, handlers[name], {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
        // One invoke permission per function for the whole API, not one per route: the
        // function's resource policy stays small however many routes the table grows to.
        scopePermissionToRoute: false,
      });
    }
    for (const route of entries) {
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: integrations[route.fn],
      });
      if (created === undefined) throw new Error(`no route created for ${route.method} ${route.path}`);
      Validations.of(created).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: authorizationReasons[route.auth],
      });
    }
  }
}
