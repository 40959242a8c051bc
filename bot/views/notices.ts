import type { Notice } from "../../app/notifications/notices.js";
import { type Locale, NPS_SCORES, REVIEW_RATINGS, stars } from "../../domain/index.js";
import { fmtDate, fmtPercent, fmtPoints, fmtRub, i18n } from "../i18n.js";

/** A notice as a reader sees it: text, and buttons when it asks for an answer. */
export interface NoticeView {
  text: string;
  buttons?: { text: string; data: string }[];
}

/**
 * Notices (app/notifications) rendered in the reader's language. Pure:
 * data and a locale in, text out; no Telegram calls, so any transport can
 * reuse it.
 */
export function renderNotice(l: Locale, n: Notice): NoticeView {
  const t = (key: string, args?: Record<string, string | number>) => i18n.t(l, key, args);
  switch (n.kind) {
    case "purchase":
      return {
        text: t("notify-purchase", {
          points: fmtPoints(l, n.points),
          store: n.store,
          balance: fmtPoints(l, n.balance),
        }),
      };
    case "return":
      return {
        text: t("notify-return", {
          store: n.store,
          change: `${n.change > 0 ? "+" : "−"}${fmtPoints(l, Math.abs(n.change))}`,
          balance: fmtPoints(l, n.balance),
        }),
      };
    case "spend-prompt":
      return {
        text: t("notify-spend-ask", {
          store: n.store,
          points: fmtPoints(l, n.points),
          amount: fmtRub(l, n.amountKopecks),
          minutes: Math.max(1, Math.round(n.ttlSeconds / 60)),
        }),
        buttons: [
          { text: t("notify-spend-yes"), data: `spend:yes:${n.requestId}` },
          { text: t("notify-spend-no"), data: `spend:no:${n.requestId}` },
        ],
      };
    case "review-ask":
      return {
        text: t("review-ask", { store: n.store }),
        buttons: REVIEW_RATINGS.map((r) => ({ text: stars(r), data: `rv:${n.purchaseId}:${r}` })).reverse(),
      };
    case "referral-step":
      return {
        text: t(`referral-${n.step}`, {
          name: n.friend || t("referral-friend"),
          points: fmtPoints(l, n.points),
          reason: n.reason ? t(`referral-reason-${n.reason}`) : "",
        }),
      };
    case "challenge-completed": {
      const title = n.title[l === "en" ? "en" : "ru"];
      const badge = n.badge ? `${n.badge.emoji} ${n.badge.name[l === "en" ? "en" : "ru"]}` : "";
      const key = n.points > 0 ? (badge ? "challenge-done-both" : "challenge-done-points") : "challenge-done-badge";
      return { text: t(key, { title, points: fmtPoints(l, n.points), badge, balance: fmtPoints(l, n.balance) }) };
    }
    case "challenge-reversed":
      return { text: t("challenge-reversed", { points: fmtPoints(l, n.points), balance: fmtPoints(l, n.balance) }) };
    case "referral-friend-reward":
      return { text: t("referral-friend-reward", { points: fmtPoints(l, n.points) }) };
    case "birthday-bonus":
      return { text: t("birthday-bonus", { points: fmtPoints(l, n.points), balance: fmtPoints(l, n.balance) }) };
    case "review-credited":
      return { text: t("review-credited", { points: fmtPoints(l, n.points), store: n.store }) };
    case "review-alert":
      return {
        text: t(n.comment ? "review-alert-comment" : "review-alert", {
          store: n.store,
          stars: stars(n.rating),
          comment: n.comment ?? "",
        }),
      };
    case "nps-ask":
      return {
        text: t("nps-ask", { store: n.store }),
        buttons: NPS_SCORES.map((score) => ({ text: String(score), data: `nps:${n.surveyId}:${score}` })),
      };
    case "spend-outcome":
      return {
        text: t(`notify-spend-${n.status}`, { points: fmtPoints(l, n.points), balance: fmtPoints(l, n.balance) }),
      };
    case "staff-spend-outcome":
      return {
        text: t(`staff-spend-${n.status}`, {
          points: fmtPoints(l, n.points),
          receipt: n.receiptId,
          due: fmtRub(l, n.dueKopecks),
        }),
        // One tap posts the purchase on the same receipt once the money is paid (bot/features/staff.ts).
        ...(n.status === "confirmed" && n.requestId && `pr:${n.requestId}`.length <= 64
          ? { buttons: [{ text: t("staff-spend-post", { due: fmtRub(l, n.dueKopecks) }), data: `pr:${n.requestId}` }] }
          : {}),
      };
    case "tier-up":
      return { text: t("notify-tier-up", { tier: n.tier, rate: fmtPercent(l, n.rateBp) }) };
    case "tier-down":
      return { text: t("notify-tier-down", { tier: n.tier, rate: fmtPercent(l, n.rateBp) }) };
    case "points-expiring":
      return {
        text: t("notify-expiring", {
          points: fmtPoints(l, n.points),
          date: fmtDate(l, new Date(n.expiresAt), n.timeZone),
          cap: fmtPercent(l, n.maxShareBp),
        }),
        // Offers are where expiring points go furthest (bot/features/offers.ts answers the button).
        ...(n.offersLink ? { buttons: [{ text: t("offers-open"), data: "of:list" }] } : {}),
      };
    case "offer":
      return {
        text: [
          l === "en" ? n.title.en : n.title.ru,
          l === "en" ? n.text.en : n.text.ru,
          t("offers-until", { date: fmtDate(l, new Date(n.endsAt), n.timeZone) }),
        ].join("\n"),
        buttons: [{ text: t("offers-open"), data: "of:list" }],
      };
    case "referral-joined":
      return { text: n.friend ? t("notify-referral-joined", { name: n.friend }) : t("notify-referral-joined-anon") };
  }
}
