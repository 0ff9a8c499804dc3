import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Scratch git repositories and spawned CLIs take longer than pure unit tests.
    testTimeout: 30_000,
    pool: "forks",
    // vitest's default is one worker fewer than the cores: on a 2-core CI machine, one. Most test time is
    // spent waiting (spawned CLIs and servers, Redis, stand-in GitHub latency), so two files at a time halve it.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
