/**
 * The CDK app (`cdk.json`: `npx tsx infra/app.ts`): one stack, checked by cdk-nag's AwsSolutions
 * rules (`Validations.of(app).addPlugins(new AwsSolutionsChecks(app))`, see nag.ts). Synthesis fails
 * on any finding, error or warning, that is not acknowledged with its reason next to its resource.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from './config.ts';
import { applyNagChecks } from './nag.ts';
import { buildNpsWave } from './stack.ts';

const app = new App();
try {
  buildNpsWave(app);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`npswave: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
applyNagChecks(app);
app.synth();
