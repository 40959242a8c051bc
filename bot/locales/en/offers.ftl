offers-applied-line = 🎁 Offer “{ $title }”: +{ $points }
