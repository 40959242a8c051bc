import type { AppliedOffer } from "../../app/offers/apply.js";
import type { Context } from "../context.js";
import { currentLocale, fmtPoints } from "../i18n.js";

/** The offers that paid on a receipt, one line each, for the cashier's answer ("" when none). */
export function appliedOffersText(ctx: Context, offers: readonly AppliedOffer[]): string {
  if (!offers.length) return "";
  const l = currentLocale(ctx);
  return (
    "\n" +
    offers
      .map((o) =>
        ctx.t("offers-applied-line", { title: l === "en" ? o.title.en : o.title.ru, points: fmtPoints(ctx, o.points) }),
      )
      .join("\n")
  );
}
