notify-purchase = +{ $points } for a purchase at “{ $store }”. Balance: { $balance }.
notify-spend-ask = “{ $store }” asks to spend { $points } on a receipt of { $amount }. Please confirm within 2 minutes.
notify-spend-yes = ✅ Confirm
notify-spend-no = ❌ Decline
notify-spend-confirmed = ✅ { $points } spent. Balance: { $balance }.
notify-spend-declined = ❌ Spend declined. Your balance has not changed.
notify-spend-expired = ⌛ Time to confirm ran out — nothing was spent.
notify-return = Return at “{ $store }”: { $change }. Balance: { $balance }.
