import { defineConfig } from "vitest/config";

/**
 * npm run test:faults — processes killed, connections dropped, the database
 * server restarted under load. One file at a time: they start servers and
 * restart the shared PostgreSQL.
 */
export default defineConfig({
  test: {
    include: ["test/faults/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});
