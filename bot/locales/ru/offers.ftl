offers-applied-line = 🎁 Предложение «{ $title }»: +{ $points }
