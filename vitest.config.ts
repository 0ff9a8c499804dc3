import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Scratch git repositories and spawned CLIs take longer than pure unit tests.
    testTimeout: 30_000,
    pool: "forks",
  },
});
