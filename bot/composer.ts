import { Composer } from "grammy";

/**
 * grammY's `filter` — and so every `command`, `hears`, `on` and
 * `callbackQuery` — is a `branch`, which grammY builds on `lazy`: for every
 * update passing by, each such handler allocates a new Composer around its
 * middleware (a map, a reduce and closures) just to call it. An update
 * reaching /card passes some hundred of them, and that garbage was a quarter
 * of the bot's time. The same branch, with both sides flattened once and
 * no promise around a predicate that answers at once: the predicate is still
 * asked per update, and a Composer's middleware is still looked up when it
 * runs (handlers added to it later count), as grammY does.
 */
type Mw = Parameters<Composer<never>["use"]>[0];
const flat = (mw: Mw | Mw[]) => {
  const list = Array.isArray(mw) ? mw : [mw];
  if (list.length !== 1) return composed(list).middleware();
  const only = list[0] as Mw;
  return typeof only === "function" ? only : (ctx: never, next: () => Promise<void>) => only.middleware()(ctx, next);
};
const proto = Composer.prototype as unknown as {
  branch(this: Composer<never>, predicate: (ctx: never) => unknown, t: Mw | Mw[], f: Mw | Mw[]): Composer<never>;
};
proto.branch = function branch(predicate, t, f) {
  const yes = flat(t);
  const no = flat(f);
  return this.use((ctx, next) => {
    let chosen: unknown;
    try {
      chosen = predicate(ctx);
    } catch (e) {
      return Promise.reject(e);
    }
    // command/hears/on predicates answer at once: no promise to wait for.
    if (typeof chosen === "boolean") return chosen ? yes(ctx, next) : no(ctx, next);
    return Promise.resolve(chosen).then((ok) => (ok ? yes(ctx, next) : no(ctx, next)));
  });
};

/**
 * `use` links middleware with grammY's concat: two async functions per link
 * and update, whose promises and microtask hops an update pays at every
 * `use` it passes (some fifty before /card). The same link without them:
 * `next` may still be called once only, and a throw — synchronous or not —
 * still rejects. What a link returns is a promise that settles when its
 * middleware is done; its value, never read by grammY, is passed through as
 * the middleware gave it rather than wrapped in one more promise per link.
 */
type Fn = (ctx: never, next: () => Promise<void>) => unknown;
const done = Promise.resolve();
const settle = (v: unknown): Promise<void> =>
  (v instanceof Promise ? v : v === undefined ? done : Promise.resolve(v)) as Promise<void>;
function link(first: Fn, andThen: Fn): Fn {
  return (ctx, next) => {
    let nextCalled = false;
    try {
      return settle(
        first(ctx, () => {
          if (nextCalled) return Promise.reject(new Error("`next` already called before!"));
          nextCalled = true;
          try {
            return settle(andThen(ctx, next));
          } catch (e) {
            return Promise.reject(e);
          }
        }),
      );
    } catch (e) {
      return Promise.reject(e);
    }
  };
}
/**
 * `new Composer(a, b, …)`, its middleware linked as above: grammY's
 * constructor links several with its own concat (`bot.use(surveys, card,
 * offers, …)` put eight of those on the way to /card).
 */
function composed(middleware: Mw[]): Composer<never> {
  const composer = new Composer<never>();
  if (middleware.length > 0)
    (composer as unknown as { handler: Fn }).handler = middleware
      .map((mw): Fn => (typeof mw === "function" ? mw : (ctx, next) => mw.middleware()(ctx, next)))
      .reduce(link);
  return composer;
}
const composerProto = Composer.prototype as unknown as { handler: Fn; use(...mw: Mw[]): Composer<never> };
composerProto.use = function use(this: { handler: Fn }, ...middleware: Mw[]) {
  const composer = composed(middleware);
  this.handler = link(this.handler, (ctx, next) => composer.middleware()(ctx, next));
  return composer;
};

export { Composer };
