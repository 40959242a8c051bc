card =
    💳 Kopilka card · { $name }

    Balance: { $balance }
    Tier: { $tier } — { $rate } cashback
    { $progress }
    Member code for the cashier: { $code }
card-progress-next = Spend { $remaining } more before { $deadline } to reach { $next }.
card-progress-next-nodate = Spend { $remaining } more to reach { $next }.
card-progress-top = You are at the top tier.
card-expiring-title = ⏳ Expiring soon:
card-expiring-line = • { $points } — { $date }
card-ops-title = Last operations:
card-ops-none = No operations yet.
card-op-line = • { $date } { $points } — { $what }
op-accrual = purchase
op-accrual-at = purchase at { $store }
op-redemption = paid with points
op-welcome = welcome points
op-review = for a review
op-referral = for a friend
op-challenge = for a challenge
op-birthday = birthday gift
op-expiry = expired
op-reversal = return
op-adjustment = adjustment
points = { $count ->
    [one] { $n } point
   *[other] { $n } points
}
card-how-to-spend = 💡 Points pay for up to { $share } of a receipt: 1 point = { $worth }. Points expire { $months ->
    [one] { $months } month
   *[other] { $months } months
} after the purchase.
tier-base = Base
tier-silver = Silver
tier-gold = Gold
