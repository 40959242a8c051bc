notify-purchase = +{ $points } for a purchase at “{ $store }”. Balance: { $balance }.
notify-spend-ask = “{ $store }” asks to spend { $points } on a receipt of { $amount }. Please confirm within { $minutes } { $minutes ->
        [one] minute
       *[other] minutes
    }.
notify-spend-yes = ✅ Confirm
notify-spend-no = ❌ Decline
notify-spend-confirmed = ✅ { $points } spent. Balance: { $balance }.
notify-spend-declined = ❌ Spend declined. Your balance has not changed.
notify-spend-expired = ⌛ Time to confirm ran out — nothing was spent.
notify-return = Return at “{ $store }”: { $change }. Balance: { $balance }.
notify-tier-up = 🎉 You are { $tier } now: { $rate } back in points from your next purchase.
notify-tier-down = Your tier is now { $tier } ({ $rate } back in points): you bought a little less over the last 12 months. /card shows what is left to the next tier.
notify-expiring = ⏳ { $points } expire on { $date }. Spend them at the till: points can pay up to { $cap } of a receipt.
notify-referral-joined = 🎉 { $name } joined the program with your invitation.
notify-referral-joined-anon = 🎉 Your friend joined the program with your invitation.
spend-toast-confirmed = ✅ Spend confirmed
spend-toast-declined = ❌ Spend declined
spend-toast-expired = ⌛ Time to confirm ran out
spend-toast-done = You have already answered this request
spend-toast-unknown = This request is no longer valid
nps-ask = Thank you for shopping at “{ $store }”! How likely are you to recommend us to a friend? From 0 (not at all) to 10 (definitely).
review-ask = How was your visit to “{ $store }”? Rate it from 1 to 5 stars — a review earns points.
review-credited = +{ $points } for your review of “{ $store }”. Thank you!
review-alert = ⚠️ A low rating of a visit to “{ $store }”: { $stars }
review-alert-comment = ⚠️ A low rating of a visit to “{ $store }”: { $stars }
    “{ $comment }”
birthday-bonus = 🎂 Happy birthday in advance! Here are { $points } from us. Balance: { $balance }.
referral-friend = Your friend
referral-purchase = 🛍 { $name } made their first purchase. Your invitation points come when its return period ends.
referral-rewarded = 🎁 +{ $points } for your invitation: { $name } is with us. Your friend got points too.
referral-refused = No invitation points for { $name }: { $reason }.
referral-cancelled = No invitation points for { $name }: the first purchase was returned.
referral-reason-BASKET_TOO_SMALL = the first purchase was below the minimum
referral-reason-SELF_REFERRAL = you cannot invite yourself
referral-reason-RETURNING_MEMBER = your friend was a member before
referral-reason-MONTHLY_CAP = the monthly invitation limit was reached
referral-reason-RETURNED = the purchase was returned
referral-friend-reward = 🎁 +{ $points } — a gift for joining on a friend's invitation.
