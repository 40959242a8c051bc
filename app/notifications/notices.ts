import type { MessageClass } from "../../domain/index.js";

/**
 * What Kopilka tells people outside a conversation, as data. The bot turns
 * a notice into text in the reader's language (bot/views/notices.ts); another
 * transport could render the same notices its own way.
 */
export type Notice =
  | { kind: "purchase"; points: number; balance: number; store: string }
  | { kind: "return"; change: number; balance: number; store: string }
  | {
      kind: "spend-prompt";
      /** The request's id, carried by the buttons. */
      requestId: string;
      store: string;
      points: number;
      amountKopecks: number;
      ttlSeconds: number;
    }
  | { kind: "spend-outcome"; status: "confirmed" | "declined" | "expired"; points: number; balance: number }
  | {
      kind: "staff-spend-outcome";
      status: "confirmed" | "declined" | "expired";
      points: number;
      receiptId: string;
      /** What is left to pay in money after the points. */
      dueKopecks: number;
      /** The spend request, so a confirmed one can carry a "post the purchase" button. */
      requestId?: string;
    }
  | { kind: "tier-up"; tier: string; rateBp: number }
  | { kind: "tier-down"; tier: string; rateBp: number }
  | {
      kind: "points-expiring";
      points: number;
      expiresAt: string;
      timeZone: string;
      maxShareBp: number;
      /** A button to the shopper's offers (program.triggers.expiringLinksOffers). */
      offersLink?: boolean;
    }
  | { kind: "referral-joined"; friend: string }
  | { kind: "nps-ask"; surveyId: number; store: string }
  | { kind: "review-ask"; purchaseId: number; store: string }
  | { kind: "review-credited"; points: number; store: string }
  | { kind: "birthday-bonus"; points: number; balance: number }
  | {
      kind: "referral-step";
      step: "purchase" | "refused" | "cancelled" | "rewarded";
      friend: string;
      points: number;
      /** Why a referral was refused (domain/referrals.ts), when it was. */
      reason: string;
    }
  | { kind: "referral-friend-reward"; points: number }
  | {
      kind: "challenge-completed";
      title: { ru: string; en: string };
      points: number;
      badge: { emoji: string; name: { ru: string; en: string } } | null;
      balance: number;
    }
  | { kind: "challenge-reversed"; points: number; balance: number }
  | { kind: "review-alert"; reviewId: number; store: string; rating: number; comment: string | null }
  | {
      kind: "offer";
      offerId: number;
      title: { ru: string; en: string };
      text: { ru: string; en: string };
      endsAt: string;
      timeZone: string;
    };

export type NoticeKind = Notice["kind"];

/** Transactional notices answer what someone just did; the rest are marketing (quiet hours, caps). */
export const NOTICE_CLASS: Record<NoticeKind, MessageClass> = {
  purchase: "transactional",
  return: "transactional",
  "spend-prompt": "transactional",
  "spend-outcome": "transactional",
  "staff-spend-outcome": "transactional",
  "tier-up": "transactional",
  "tier-down": "transactional",
  "points-expiring": "marketing",
  "referral-joined": "transactional",
  "nps-ask": "feedback",
  "review-ask": "marketing",
  "review-credited": "transactional",
  // Program-initiated, so it waits for the member's daytime like marketing; never capped (a present).
  "birthday-bonus": "feedback",
  // What happened to the shopper's own invitation: they asked to hear it.
  "referral-step": "transactional",
  "referral-friend-reward": "transactional",
  // The answer to the purchase that completed it, like the purchase's own notice.
  "challenge-completed": "transactional",
  "challenge-reversed": "transactional",
  "review-alert": "transactional",
  // A trigger's personal offer: quiet hours, caps and the holdout, like any promotion.
  offer: "marketing",
};

/**
 * Sent even to a member who turned notifications off: a spend cannot happen
 * without its prompt, and its outcome closes it.
 */
export const ESSENTIAL: ReadonlySet<NoticeKind> = new Set(["spend-prompt", "spend-outcome", "staff-spend-outcome"]);
