menu-offers = 🏷 My offers
cmd-offers = Personal offers
offers-title = { $count ->
    [one] { $count } personal offer for you:
   *[other] { $count } personal offers for you:
}
offers-none = No personal offers yet. We pick them from your purchases — check back later.
offers-why = Why you: { $reasons }.
offers-why-bought = { $regular ->
    [yes] you buy “{ $product }” regularly
   *[no] you buy “{ $product }”
}
offers-why-missed = we have not seen you for a while
offers-why-recent = you were with us recently
offers-why-visits = you visit us often
offers-why-spend = for your purchases
offers-why-birthday = your birthday is coming
offers-why-tier = your tier is { $tier }
offers-why-loyal = you are a regular customer
offers-why-home = this is your store
offers-why-new = you joined us recently
offers-reward-bonus = 🎁 +{ $points } for a purchase
offers-reward-bonus-min = 🎁 +{ $points } for a purchase of { $basket } or more
offers-reward-multiplier = 🎁 { $times }× points on “{ $product }”
offers-reward-sku = 🎁 +{ $points } for “{ $sku }”
offers-reward-gift = 🎁 A gift: { $gift }
offers-until = ⏳ Until { $date }
offers-where-all = 📍 In every store
offers-where-stores = 📍 Where: { $stores }
offers-activate = ✅ Activate
offers-activated = ✅ Offer activated — it applies when you buy.
offers-gift-code = 🎟 Gift code for the cashier: <b>{ $code }</b>
offers-closed = This offer is no longer available.
offers-applied-line = 🎁 Offer “{ $title }”: +{ $points }
offers-open = 🏷 My offers
