import type { EventType } from "../../domain/index.js";

/**
 * Which jobs react to which domain event. Emitting an event queues one job
 * per subscriber in the same transaction (keyed by the event), so a reaction
 * is never lost to a crash and never queued twice. The handlers live in
 * app/jobs/handlers; adding a reaction is one line here and one handler there.
 */
export const SUBSCRIPTIONS: Partial<Record<EventType, readonly string[]>> = {
  "purchase.recorded": ["notify.purchase", "survey.nps", "review.ask", "referral.qualify", "challenge.purchase"],
  "return.recorded": ["notify.return", "referral.cancel", "challenge.return"],
  "redemption.requested": ["notify.spend-prompt"],
  "redemption.decided": ["notify.spend-outcome", "notify.staff-spend-outcome"],
  "tier.changed": ["notify.tier"],
  "member.enrolled": ["notify.referral-joined"],
};
