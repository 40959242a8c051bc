/**
 * Keeps the arrows pointing one way: transport (bot, api) → application
 * services (app) → domain rules. The domain imports no framework, transport or
 * database code.
 */
module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "domain/ holds pure rules: no grammY, HTTP, Prisma, pg or the app/bot layers",
      severity: "error",
      from: { path: "^domain/" },
      to: {
        path: ["^app/", "^bot/", "^api/", "^generated/", "^prisma/"],
        dependencyTypes: ["local", "npm", "core", "npm-dev", "npm-optional", "npm-peer", "npm-no-pkg", "npm-unknown"],
      },
    },
    {
      name: "domain-no-io-packages",
      severity: "error",
      from: { path: "^domain/" },
      to: { path: "node_modules/(grammy|@grammyjs|@prisma|pg|@electric-sql|hono|@hono|pino)/" },
    },
    {
      name: "domain-no-node-io",
      severity: "error",
      from: { path: "^domain/" },
      to: { dependencyTypes: ["core"], path: "^(node:)?(fs|http|https|net|child_process)$" },
    },
    {
      name: "app-not-transport",
      comment: "application services know nothing of Telegram or HTTP",
      severity: "error",
      from: { path: "^app/" },
      to: { path: ["^bot/", "^api/", "node_modules/(grammy|@grammyjs|hono|@hono)/"] },
    },
    {
      name: "transport-not-database",
      comment: "bot/ and api/ reach data only through the application services, never the database layer",
      severity: "error",
      from: { path: "^(bot|api)/" },
      to: { path: ["^app/db/", "^generated/", "node_modules/(@prisma|pg|@electric-sql)/"] },
    },
    {
      name: "no-circular",
      severity: "error",
      from: { pathNot: "^generated/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: ["node_modules", "^generated/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
      extensions: [".ts", ".tsx", ".js"],
    },
  },
};
