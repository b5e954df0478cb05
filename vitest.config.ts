import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{libs,services,test}/**/src/**/*.test.ts", "services/controllers/*/src/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Fails the run if a process it started outlives it.
    globalSetup: ["test/src/support/global-setup.ts"],
  },
});
