/**
 * Two-sided referrals (article 001: points for recommending friends). Both
 * sides earn only when the friend's first purchase is a real one — at least a
 * minimum basket, and no longer returnable — and a referral is refused, with
 * a reason an admin can read, when it looks like farming.
 */
export const REFERRAL_REFUSALS = [
  /** The friend is the referrer (same phone or Telegram account). */
  "SELF_REFERRAL",
  /** The friend was a member before (also one who deleted their data and came back). */
  "RETURNING_MEMBER",
  /** The referrer reached the monthly cap. */
  "MONTHLY_CAP",
  /** The friend's first purchase was below the minimum basket. */
  "BASKET_TOO_SMALL",
  /** The first purchase was returned inside the return window. */
  "RETURNED",
] as const;
export type ReferralRefusal = (typeof REFERRAL_REFUSALS)[number];

/** Held (not refused) for an admin to look at: unusually many referrals at once. */
export const REFERRAL_HOLD = "REFERRER_BURST" as const;

export interface ReferralFacts {
  sameAccount: boolean;
  returningMember: boolean;
  /** The referrer's referrals in the burst window, and in the current month, before this one. */
  recentCount: number;
  monthCount: number;
}

/** What to do with a new referral: accept it (pending the first purchase), hold it, or refuse it with a reason. */
export function judgeReferral(
  f: ReferralFacts,
  rules: { monthlyCap: number; burstCount: number },
):
  | { status: "pending" }
  | { status: "held"; reason: typeof REFERRAL_HOLD }
  | { status: "refused"; reason: ReferralRefusal } {
  if (f.sameAccount) return { status: "refused", reason: "SELF_REFERRAL" };
  if (f.returningMember) return { status: "refused", reason: "RETURNING_MEMBER" };
  if (f.monthCount >= rules.monthlyCap) return { status: "refused", reason: "MONTHLY_CAP" };
  if (f.recentCount >= rules.burstCount) return { status: "held", reason: REFERRAL_HOLD };
  return { status: "pending" };
}
