/**
 * The house Lambda function: every handler in functions/<dir>/handler.ts is built the same way
 * (Node 24 on arm64, an ESM bundle made by the local esbuild with the SDK inside, source maps, an
 * explicit log group with retention) and runs under its own role, which starts empty: each grant
 * below adds exactly what one function needs.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, type Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type TableDefinition, tableEnvVar } from '../shared/tables.ts';

/** The repository root: the esbuild project root and where functions/ lives. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Lets bundled CommonJS dependencies call `require` from inside the ESM bundle. */
const createRequireBanner =
  "import { createRequire as __npswaveCreateRequire } from 'node:module'; const require = __npswaveCreateRequire(import.meta.url);";

/**
 * How esbuild builds every function, in one place: bench/bundle.bench.ts builds its bundles with the
 * same settings, so the sizes and import times it reports are those of what gets deployed.
 */
export const bundleSettings = {
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  // Line-accurate stack traces without shipping the sources twice.
  sourcesContent: false,
  banner: createRequireBanner,
  // Bundle the SDK: pinned versions and faster cold starts than the runtime's copy.
  externalModules: [] as string[],
} satisfies BundlingOptions;

export interface NpsFunctionProps {
  /** Folder under functions/ holding handler.ts, e.g. `ses-events`. */
  dir: string;
  /** Physical name; fixed so that ARNs can be written before the function exists (no cycles). */
  functionName: string;
  description: string;
  timeout: Duration;
  memorySize: number;
  environment?: Record<string, string>;
  logRetention?: logs.RetentionDays;
  /** Where asynchronous invocations (Scheduler, Lambda Event) go after their retries fail. */
  onFailure?: lambda.IDestination;
}

export class NpsFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly functionName: string;
  /** The function's ARN, built from its fixed name; safe to use in its own environment. */
  readonly functionArn: string;

  constructor(scope: Construct, id: string, props: NpsFunctionProps) {
    super(scope, id);
    this.functionName = props.functionName;
    this.functionArn = functionArnFor(this, props.functionName);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      // Logs are diagnostics, not records: the tables are what a deletion must keep.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of the default one, which carries the broad AWSLambdaBasicExecutionRole
    // managed policy (logs:CreateLogGroup on *); this one may only write to its own log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `npswave ${props.functionName}: ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(repoRoot, 'functions', props.dir, 'handler.ts'),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      functionName: props.functionName,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      ...(props.onFailure !== undefined ? { onFailure: props.onFailure, retryAttempts: 2 } : {}),
      bundling: {
        ...bundleSettings,
        forceDockerBundling: false,
      },
    });
  }

  addEnvironment(name: string, value: string): void {
    this.fn.addEnvironment(name, value);
  }

  /** Adds one statement to this function's own policy. */
  allow(actions: string[], resources: string[], conditions?: Record<string, Record<string, unknown>>): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions, resources, ...(conditions !== undefined ? { conditions } : {}) }),
    );
  }
}

/** The ARN of a function in this stack's account and region, from its name alone. */
export function functionArnFor(scope: Construct, functionName: string): string {
  return Stack.of(scope).formatArn({
    service: 'lambda',
    resource: 'function',
    resourceName: functionName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** DynamoDB item and read actions, as IAM names them (without the `dynamodb:` prefix). */
export type DynamoAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem'
  | 'Query'
  | 'Scan'
  | 'DescribeTable';

/** Actions that make sense on an index; the others are granted on the table only. */
const indexActions: ReadonlySet<DynamoAction> = new Set<DynamoAction>(['Query', 'Scan']);

export interface BoundTable {
  table: dynamodb.ITable;
  definition: TableDefinition;
}

/**
 * Grants a function exactly these actions on one table (and Query/Scan on the named indexes), and
 * tells it the table's name through the table's environment variable. `leadingKeys` narrows the
 * grant to items whose partition key matches one of the patterns (IAM's dynamodb:LeadingKeys), for a
 * function that may touch only its own kind of item in a shared table.
 */
export function bindTable(
  fn: NpsFunction,
  { table, definition }: BoundTable,
  actions: readonly DynamoAction[],
  indexes: readonly string[] = [],
  leadingKeys?: readonly string[],
): void {
  const known = new Set(definition.indexes.map((i) => i.name));
  for (const name of indexes) {
    if (!known.has(name)) throw new Error(`table ${definition.id} has no index ${name}`);
  }
  fn.allow(
    actions.map((a) => `dynamodb:${a}`),
    [table.tableArn],
    leadingKeys ? { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...leadingKeys] } } : undefined,
  );
  if (indexes.length > 0) {
    const onIndex = actions.filter((a) => indexActions.has(a));
    if (onIndex.length === 0) {
      throw new Error(`indexes of ${definition.id} granted to ${fn.functionName} without Query or Scan`);
    }
    fn.allow(
      onIndex.map((a) => `dynamodb:${a}`),
      indexes.map((name) => `${table.tableArn}/index/${name}`),
    );
  }
  fn.addEnvironment(tableEnvVar(definition.id), table.tableName);
}

/**
 * Grants a function Query (or Scan) on some indexes of a table and nothing on the table itself, for a
 * function that only lists through an index; tells it the table's name as bindTable does.
 */
export function bindIndexes(
  fn: NpsFunction,
  { table, definition }: BoundTable,
  actions: readonly DynamoAction[],
  indexes: readonly string[],
): void {
  const known = new Set(definition.indexes.map((i) => i.name));
  for (const name of indexes) {
    if (!known.has(name)) throw new Error(`table ${definition.id} has no index ${name}`);
  }
  if (indexes.length === 0 || actions.length === 0 || actions.some((a) => !indexActions.has(a))) {
    throw new Error(`bindIndexes(${definition.id}): only Query or Scan, on at least one index`);
  }
  fn.allow(
    actions.map((a) => `dynamodb:${a}`),
    indexes.map((name) => `${table.tableArn}/index/${name}`),
  );
  fn.addEnvironment(tableEnvVar(definition.id), table.tableName);
}
