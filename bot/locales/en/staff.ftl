staff-usage-invite = Usage: /staff_invite <store number>
staff-invite-link = A link for staff of “{ $store }” (valid 24 hours, once): { $link }
staff-joined = You are staff of “{ $store }”. Commands: /member, /purchase, /spend, /return.
staff-invite-invalid = This link is not valid: it was used or has expired. Ask the admin for a new one.
staff-list-empty = No staff yet.
staff-list-title = Staff:
staff-list-line = { $name } — “{ $store }”
staff-revoke = Revoke: { $name }
staff-usage-member = Usage: /member <member code or phone>
staff-usage-purchase = Usage: /purchase <code or phone> <amount, ₽> [#receipt number]
    For example: /purchase 75386496 1240.50 #R-1002
staff-usage-spend = Usage: /spend <code or phone> <points> <receipt amount, ₽> [#receipt number]
    For example: /spend 75386496 300 1240 #R-1002
staff-usage-return = Usage: /return <receipt number> <amount returned, ₽> [#return number]
    For example: /return R-1002 1240.50
staff-member =
    { $name } · code { $code }
    Status: { $status }
    Tier: { $tier } — { $rate }
    Balance: { $balance } (expiring within 30 days: { $expiring })
    In the window: { $visits ->
        [one] { $visits } purchase
       *[other] { $visits } purchases
    } for { $spend }
    Last purchase: { $last }
    { $birthday }
staff-member-birthday = 🎂 Birthday this week!
staff-member-no-last = none
staff-status-active = active
staff-status-unreachable = not receiving messages
staff-status-deleted = deleted
staff-purchase-done = Receipt { $receipt }: { $amount }, earned { $points } ({ $tier }, { $rate }). Member's balance: { $balance }.
staff-purchase-replay = This receipt was posted already: { $points } earned.
staff-spend-sent = A request to spend { $points } on receipt { $receipt } went to the shopper. Waiting for the answer (2 minutes).
staff-spend-confirmed = ✅ The shopper confirmed: { $points } spent on receipt { $receipt }. Due in money: { $due }.
staff-spend-declined = ❌ The shopper declined the spend on receipt { $receipt }.
staff-spend-expired = ⌛ The shopper did not answer: nothing was spent on receipt { $receipt }.
staff-return-done = Return on receipt { $receipt }: { $amount }. Taken back { $reversed }, given back { $refunded }.{ $uncollected }
staff-return-uncollected = { " " }{ $points } could not be taken back: the shopper spent them already.
staff-error = ⚠️ { $message }
error-MEMBER-NOT_FOUND = Member not found.
error-STORE-NOT_FOUND = Store not found.
error-STORE-INACTIVE = The store is closed.
error-PURCHASE-NOT_FOUND = Receipt not found.
error-PURCHASE-RECEIPT_CONFLICT = A receipt with this number was posted with other details.
error-RETURN-EXCEEDS_PURCHASE = The return is more than is left on the receipt: at most { $returnable } can be returned.
error-LEDGER-INSUFFICIENT_POINTS = Not enough points: { $requested } requested. Member's balance: { $balance }.
error-REDEMPTION-CAP_EXCEEDED = Points can pay at most { $capLeft } ({ $maxShareBp } of the receipt). Member's balance: { $balance }.
error-INPUT-INVALID_AMOUNT = Invalid amount: an amount in rubles from 0.01 to 10,000,000 ₽ is needed.
error-INPUT-INVALID_POINTS = Invalid number of points: a whole number above zero is needed.
error-INPUT-INVALID = Invalid input.
error-DB-UNAVAILABLE = The database is unavailable for a moment. Try again in a minute.
error-other = The operation did not go through. Try again; if it happens again, tell the admin.
cmd-member = Member status
cmd-purchase = Record a purchase
cmd-spend = Spend points
cmd-return = Return
cmd-reviews = Reviews to check
error-PURCHASE-CANCEL_EXPIRED = A purchase can be cancelled only within { $minutes } min. Record a return: /return.
staff-input-missing-member = The member is missing: an 8-digit code or a phone.
staff-input-missing-amount = The receipt amount is missing.
staff-input-missing-points = How many points to spend is missing.
staff-input-missing-receipt = The receipt number is missing.
staff-input-member = “{ $text }” is neither a member code (8 digits) nor a phone.
staff-input-amount = “{ $text }” is not an amount. Write rubles: 1240, 1 240.50 or 1240,50.
staff-input-ambiguous = “{ $text }” reads more than one way: { $readings }? Write the amount without a thousands mark, e.g. 1240 or 1240.50.
staff-input-or = { " " }or{ " " }
staff-input-receipt-unmarked = What is “{ $receipt }” after the amount { $amount }: a receipt number or part of the amount? Mark a receipt number with #: #{ $receipt }.
staff-input-points = “{ $text }” is not a number of points. Write a whole number, e.g. 300.
staff-input-extra = “{ $text }” is not clear. Check the command.
staff-confirm-above-limit = The amount { $amount } is above { $limit }. Check receipt { $receipt } and confirm.
staff-confirm-above-usual = The amount { $amount } is more than { $multiple } times this shopper's usual receipt ({ $usual }). Check receipt { $receipt } and confirm.
staff-confirm-yes = ✅ Post { $amount }
staff-confirm-no = Cancel
staff-confirm-dropped = The purchase was not posted.
staff-confirm-stale = This purchase was posted or dropped already.
staff-cancel-button = ↩️ Cancel
staff-cancel-done = ↩️ The purchase on receipt { $receipt } for { $amount } is cancelled: { $reversed } taken back. Member's balance: { $balance }.
staff-cancel-done-toast = Purchase cancelled.
staff-cancel-already = This purchase is cancelled already.
staff-cancel-expired = A purchase can be cancelled only within { $minutes } min. Record a return with /return.
staff-start = You are Kopilka staff. Commands are in /help. To join as a shopper yourself, send /start join.
staff-help =
    Store staff commands:
    /member 75386496 — a member's status (code or phone: /member +7 912 345-67-89)
    /purchase 75386496 1240.50 #R-1002 — record a purchase; mark the receipt number with #, or leave it out and one is made up
    /spend 75386496 300 1240 #R-1002 — spend 300 points on a 1,240 ₽ receipt (the shopper confirms in Telegram)
    /return R-1002 1240.50 — a return on a receipt (part or all of it)
    /reviews — new reviews of the store: approve (the shopper gets points) or reject
    Type amounts as you like: 1240, 1 240.50, 1240,50 ₽. A posted purchase has a “↩️ Cancel” button for 10 minutes.
admin-help =
    Admin commands:
    /stores — stores with their numbers
    /staff_invite 3 — an invite link for staff of store no. 3
    /staff — staff; revoke access
    /reviews — new reviews of every store
    /broadcast — a broadcast to members: segment, message, A/B test, control group
    /dashboard — a link to the metrics dashboard
staff-revoke-confirm = Revoke access for { $name } (store “{ $store }”)?
staff-revoke-yes = Yes, revoke
staff-revoke-no = No
staff-revoke-kept = Access kept.
staff-revoke-gone = This person has no access already.
staff-revoked-named = Access revoked: { $name }, “{ $store }”. They were told.
staff-revoked-you = Your staff access for “{ $store }” was revoked by an admin. Cashier commands no longer work.
admin-stores-title = Stores (the number is for /staff_invite):
admin-stores-line = No. { $id } — { $name }, { $address }
admin-stores-line-closed = No. { $id } — { $name }, { $address } (closed)
admin-stores-empty = No stores yet.
admin-stores-hint = To invite staff: /staff_invite <number>.
staff-spend-post = 🧾 Post the purchase ({ $due } in money)
staff-usage-gift = Usage: /gift <gift code>
    For example: /gift K7M2QX9A
staff-gift-done =
    🎁 Hand over the gift: { $gift }
    Offer “{ $title }”, code { $code }. The code is spent; the gift is not handed over twice.
error-GIFT-NOT_FOUND = There is no gift with this code. Check the code.
error-GIFT-ALREADY_REDEEMED = This gift was already handed over on { $when } in “{ $store }”. It is not handed over twice.
error-GIFT-EXPIRED = The gift has expired: its offer ended on { $when }.
error-GIFT-NOT_ACTIVE = The offer of this gift is paused: the gift cannot be handed over now.
error-GIFT-WRONG_STORE = This gift is handed over only in the offer's stores, not in this one.
cmd-gift = Hand over a gift by its code
