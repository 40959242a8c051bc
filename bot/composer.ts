import { Composer } from "grammy";

/**
 * grammY's `filter` — and so every `command`, `hears`, `on` and
 * `callbackQuery` — is a `branch`, which grammY builds on `lazy`: for every
 * update passing by, each such handler allocates a new Composer around its
 * middleware (a map, a reduce and closures) just to call it. An update
 * reaching /card passes some hundred of them, and that garbage was a quarter
 * of the bot's time. The same branch, with both sides flattened once: the
 * predicate is still asked per update, and a Composer's middleware is still
 * looked up when it runs (handlers added to it later count), as grammY does.
 */
type Mw = Parameters<Composer<never>["use"]>[0];
const flat = (mw: Mw | Mw[]) => {
  const list = Array.isArray(mw) ? mw : [mw];
  if (list.length !== 1) return new Composer(...list).middleware();
  const only = list[0] as Mw;
  return typeof only === "function" ? only : (ctx: never, next: () => Promise<void>) => only.middleware()(ctx, next);
};
const proto = Composer.prototype as unknown as {
  branch(this: Composer<never>, predicate: (ctx: never) => unknown, t: Mw | Mw[], f: Mw | Mw[]): Composer<never>;
};
proto.branch = function branch(predicate, t, f) {
  const yes = flat(t);
  const no = flat(f);
  return this.use(async (ctx, next) => ((await predicate(ctx)) ? yes(ctx, next) : no(ctx, next)));
};

export { Composer };
