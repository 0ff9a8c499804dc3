import { defineConfig } from "vitest/config";

/**
 * Suites `npm test` does not run: the real-world role corpus beside the
 * repository (npm run test:corpus) and the fresh-clone check, which itself runs
 * `npm ci` and `npm test` in a clone (npm run test:fresh-clone). `.ci/run` runs both.
 */
export default defineConfig({
  test: {
    include: ["test-extra/**/*.test.ts"],
    testTimeout: 30_000,
    pool: "forks",
  },
});
