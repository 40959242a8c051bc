import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The fault suite has its own command and config (vitest.faults.config.ts).
    exclude: ["test/faults/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: files run two at a time; each opens its own databases.
    maxWorkers: 2,
  },
});
