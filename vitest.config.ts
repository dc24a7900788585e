import { defineConfig } from 'vitest/config';

/**
 * Five projects: fast unit tests; integration tests against one local stack started by the global
 * setup (real DynamoDB Local and aws-ses-v2-local); the chaos test with a faulty stack of its own;
 * CDK assertions; browser tests. `npm test` (test/run.ts) runs the integration project in one vitest
 * and the other four in a second one beside it: vitest itself would run every project whose files go
 * one at a time after all the others, one file at a time.
 */
export default defineConfig({
  test: {
    // SDK releases after January 2027 need Node 22; until then its warning only adds noise to the logs.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/chaos.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/setup/global.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // The files share one stack (and its clock): one file at a time keeps them independent.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // A year under NPSWAVE_FAULTS with a stack of its own: it need not wait for the shared one.
          name: 'chaos',
          include: ['test/integration/chaos.test.ts'],
          environment: 'node',
          testTimeout: 1_200_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
