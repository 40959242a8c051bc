import { Composer } from "grammy";
import type { Context } from "../context.js";
import { currentLocale } from "../i18n.js";
import { renderChallenges } from "../views/challenges.js";

/** `/challenges`: the open challenges with progress bars, and the badges earned. */
async function challenges(ctx: Context) {
  if (!ctx.member) return ctx.reply(ctx.t("challenges-not-enrolled"));
  const overview = await ctx.deps.services.challenges.overview(ctx.member.id);
  await ctx.reply(renderChallenges(currentLocale(ctx), overview));
}

export const challengesFeature = new Composer<Context>();
challengesFeature.command("challenges", challenges);
