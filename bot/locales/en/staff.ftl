staff-usage-invite = Usage: /staff_invite <store number>
staff-invite-link = A link for staff of “{ $store }” (valid 24 hours, once): { $link }
staff-joined = You are staff of “{ $store }”. Commands: /member, /purchase, /spend, /return.
staff-invite-invalid = This link is not valid: it was used or has expired. Ask the admin for a new one.
staff-list-empty = No staff yet.
staff-list-title = Staff:
staff-list-line = { $name } — “{ $store }”
staff-revoke = Revoke: { $name }
staff-revoked = Access revoked.
staff-usage-member = Usage: /member <member code or phone>
staff-usage-purchase = Usage: /purchase <code or phone> <amount, ₽> [receipt number]
staff-usage-spend = Usage: /spend <code or phone> <points> <receipt amount, ₽> [receipt number]
staff-usage-return = Usage: /return <receipt number> <amount returned, ₽> [return number]
staff-member =
    { $name } · code { $code }
    Status: { $status }
    Tier: { $tier } — { $rate }
    Balance: { $balance } (expiring within 30 days: { $expiring })
    In the window: { $visits } purchases for { $spend }
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
error-RETURN-EXCEEDS_PURCHASE = The return is more than is left on the receipt ({ $returnable }).
error-LEDGER-INSUFFICIENT_POINTS = Not enough points.
error-REDEMPTION-CAP_EXCEEDED = Points can pay at most { $max } of this receipt.
error-INPUT-INVALID_AMOUNT = Invalid amount.
error-INPUT-INVALID_POINTS = Invalid number of points.
error-INPUT-INVALID = Invalid input.
error-DB-UNAVAILABLE = The database is unavailable for a moment. Try again in a minute.
error-other = That did not work: { $code }.
cmd-member = Member status
cmd-purchase = Record a purchase
cmd-spend = Spend points
cmd-return = Return
