import { defineConfig } from 'vitest/config';

/**
 * Five projects: fast unit tests; integration tests against one local stack started by the global
 * setup (real DynamoDB Local and aws-ses-v2-local); integration files with stacks of their own
 * (`stacks`: the chaos year, the crash and throttling stacks, the demo); CDK assertions; browser
 * tests. `npm test` (test/run.ts) runs them in three vitest processes at once: vitest itself would
 * run every project whose files go one at a time after all the others, one file at a time.
 */
/** Integration files that use only stacks they start themselves, never the shared one. */
const stackFiles = [
  'test/integration/chaos.test.ts',
  'test/integration/sending.test.ts',
  'test/integration/demo.test.ts',
];

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
          exclude: stackFiles,
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
          // Files that start stacks of their own (the chaos year under NPSWAVE_FAULTS, the SIGKILL and
          // throttling stacks, the demo's first start): they need not wait for the shared one.
          name: 'stacks',
          include: stackFiles,
          environment: 'node',
          testTimeout: 1_200_000,
          hookTimeout: 240_000,
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
