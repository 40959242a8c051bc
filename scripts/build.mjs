// Builds the JavaScript `npm start` runs (issue 14: tsx at run time cost 0.7 s
// of start-up and ~100 MB of memory). The program and the packages it uses are
// bundled by esbuild into one file, dist/main.js: resolving and linking some
// 900 separate modules (grammY, zod, Hono, pg, the Deno shims of the i18n
// plugin…) cost ~0.6 s of CPU on every start, the bundle a fraction of it.
// Left outside, loaded from node_modules as usual: packages that find files
// beside their own module at run time (PGlite's WASM and data, Prisma's
// runtime, pino's worker transports), optional native modules, and bwip-js,
// which is imported only when the first card is drawn.
// The files the program reads at run time (Fluent texts, migrations, the
// dashboard's assets) are copied into dist/ in the same tree as the sources,
// and each source's `import.meta.url` is rewritten to the URL its own file
// would have there, so a path relative to a module holds in the bundle too.
// Runs after `npm install` and before every `npm start`; when nothing changed
// since the last build it only compares modification times (a few ms).
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist");
const stamp = join(out, ".built");
const SOURCES = ["main.ts", "serve.ts", "app", "bot", "api", "domain", "generated/prisma"];
const ASSETS = ["bot/locales", "prisma/migrations", "api/dashboard/locales", "api/dashboard/assets"];

function walk(path, files = []) {
  const full = join(root, path);
  if (!existsSync(full)) return files;
  if (statSync(full).isDirectory()) for (const e of readdirSync(full)) walk(join(path, e), files);
  else files.push(path);
  return files;
}

const sources = SOURCES.flatMap((p) => walk(p)).filter(
  (f) => (f.endsWith(".ts") || f.endsWith(".tsx")) && !f.endsWith(".d.ts"),
);
const inputs = [...sources, ...ASSETS.flatMap((p) => walk(p)), "package-lock.json"];
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const newest = Math.max(...inputs.map((f) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0)));

/** Found beside their own module at run time, or optional and native: not bundled. */
const EXTERNAL = [
  "@electric-sql/pglite",
  "@electric-sql/pglite/*",
  "@prisma/client",
  "@prisma/client/*",
  "pino",
  "pino-pretty",
  "thread-stream",
  "pg-native",
  // Loaded on the first card drawn (bot/card-image.ts): outside, it is not compiled at every start.
  "bwip-js",
  "bwip-js/*",
];

/** `import.meta.url` in a source file → the URL that file would have in dist/ (see above). */
const moduleUrls = {
  name: "module-urls",
  setup(b) {
    b.onLoad({ filter: /\.tsx?$/ }, (args) => {
      if (args.path.includes(`${join("node_modules", "")}`)) return undefined;
      const source = readFileSync(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const own = `./${relative(root, args.path).replace(/\.tsx?$/, ".js")}`;
      return {
        contents: source.replaceAll("import.meta.url", `new URL(${JSON.stringify(own)}, import.meta.url).href`),
        loader: args.path.endsWith(".tsx") ? "tsx" : "ts",
      };
    });
  },
};

if (newest > built || process.argv.includes("--force")) {
  const { build } = await import("esbuild");
  rmSync(out, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: ["main.ts"],
    outdir: out,
    bundle: true,
    // main.ts imports serve.ts when the database has begun opening: a chunk of its own (beside
    // main.js, so the rewritten module URLs hold), compiled while PGlite's WebAssembly compiles.
    splitting: true,
    external: EXTERNAL,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: true,
    // Stack traces name our files; the packages' own sources are not worth megabytes of map.
    sourcesContent: false,
    // Bundled CommonJS packages call require(); an ES module has none of its own.
    banner: {
      js: 'import { createRequire as __kopilkaRequire } from "node:module"; const require = __kopilkaRequire(import.meta.url);',
    },
    plugins: [moduleUrls],
    // The dashboard's pages are Hono JSX (tsconfig.json says the same to tsc).
    jsx: "automatic",
    jsxImportSource: "hono/jsx",
    logLevel: "warning",
  });
  for (const a of ASSETS) cpSync(join(root, a), join(out, a), { recursive: true });
  writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  writeFileSync(stamp, new Date().toISOString());
}
