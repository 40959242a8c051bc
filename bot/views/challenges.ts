import type { ChallengeOverview } from "../../app/challenges/index.js";
import type { Badge, ChallengeGoal, Locale } from "../../domain/index.js";
import { fmtDate, fmtPoints, i18n } from "../i18n.js";

/** A progress bar of at most ten cells: ▰▰▱ for 2 of 3. */
export function progressBar(done: number, target: number): string {
  const cells = Math.min(target, 10);
  const full = target <= 0 ? cells : Math.min(cells, Math.floor((done * cells) / target));
  return "▰".repeat(full) + "▱".repeat(cells - full);
}

const pick = (l: Locale, s: { ru: string; en: string }) => (l === "en" ? s.en : s.ru);
const badgeText = (l: Locale, b: Badge) => `${b.emoji} ${pick(l, b.name)}`;

function goalText(l: Locale, g: ChallengeGoal): string {
  switch (g.kind) {
    case "visits":
      return i18n.t(l, "goal-visits", { count: g.count, days: g.withinDays });
    case "category":
      return i18n.t(l, "goal-category", { count: g.count, category: g.category });
    case "streak":
      return i18n.t(l, "goal-streak", { weeks: g.weeks, forgive: g.forgive });
    case "stores":
      return i18n.t(l, "goal-stores", { count: g.count });
  }
}

/**
 * `/challenges` as text: each open challenge with its goal, a progress bar,
 * the last day and the reward; then the badges earned. Pure, like the
 * notices' views.
 */
export function renderChallenges(l: Locale, o: ChallengeOverview): string {
  const t = (key: string, args?: Record<string, string | number>) => i18n.t(l, key, args);
  const blocks = o.challenges.map((c) => {
    const head = t("challenge-line", { title: pick(l, c.title), goal: goalText(l, c.goal) });
    if (c.finished) return `${head}\n${t("challenge-finished")}`;
    const reward =
      c.points > 0 && c.badge
        ? t("challenge-reward-both", { points: fmtPoints(l, c.points), badge: badgeText(l, c.badge) })
        : c.badge
          ? t("challenge-reward-badge", { badge: badgeText(l, c.badge) })
          : t("challenge-reward-points", { points: fmtPoints(l, c.points) });
    const details = [
      t("challenge-progress", { bar: progressBar(c.done, c.target), done: c.done, target: c.target }),
      ...(c.endsOn
        ? [t("challenge-until", { date: fmtDate(l, new Date(`${c.endsOn}T12:00:00Z`), "UTC", o.asOf) })]
        : []),
      reward,
      ...(c.completed > 0 ? [t("challenge-again", { count: c.completed })] : []),
    ];
    return `${head}\n${details.join(" · ")}`;
  });
  const parts = [t("challenges-title"), ...(blocks.length ? blocks : [t("challenges-none")])];
  if (o.badges.length) parts.push(t("challenges-badges", { badges: o.badges.map((b) => badgeText(l, b)).join(" · ") }));
  return parts.join("\n\n");
}
