// npm start: brings dist/ up to date (scripts/build.mjs: a build only when a
// source changed since the last one) and runs dist/main.js in this same
// process. Two Node processes, one to check and one to run, cost ~60 ms more
// of the start-up (issue 14) for nothing.
import process from "node:process";

await import("./build.mjs");
// As `node --enable-source-maps` would: stack traces name the TypeScript sources.
process.setSourceMapsEnabled(true);
await import("../dist/main.js");
