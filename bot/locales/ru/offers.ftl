menu-offers = 🏷 Мои предложения
cmd-offers = Персональные предложения
offers-title = { $count ->
    [one] Для вас { $count } персональное предложение:
    [few] Для вас { $count } персональных предложения:
   *[other] Для вас { $count } персональных предложений:
}
offers-none = Пока персональных предложений нет. Мы подберём их по вашим покупкам — загляните позже.
offers-why = Почему вам: { $reasons }.
offers-why-bought = { $regular ->
    [yes] вы регулярно покупаете «{ $product }»
   *[no] вы покупаете «{ $product }»
}
offers-why-missed = вы давно к нам не заходили
offers-why-recent = вы недавно были у нас
offers-why-visits = вы часто к нам заходите
offers-why-spend = за ваши покупки
offers-why-birthday = скоро ваш день рождения
offers-why-tier = ваш уровень — { $tier }
offers-why-loyal = вы наш постоянный покупатель
offers-why-home = это ваш магазин
offers-why-new = вы недавно с нами
offers-reward-bonus = 🎁 +{ $points } за покупку
offers-reward-bonus-min = 🎁 +{ $points } за покупку от { $basket }
offers-reward-multiplier = 🎁 В { $times } раза больше баллов за «{ $product }»
offers-reward-sku = 🎁 +{ $points } за «{ $sku }»
offers-reward-gift = 🎁 Подарок: { $gift }
offers-until = ⏳ До { $date }
offers-where-all = 📍 Во всех магазинах
offers-where-stores = 📍 Где: { $stores }
offers-activate = ✅ Активировать
offers-activated = ✅ Предложение активировано — оно сработает при покупке.
offers-gift-code = 🎟 Код подарка для кассира: <b>{ $code }</b>
offers-closed = Это предложение уже недоступно.
offers-applied-line = 🎁 Предложение «{ $title }»: +{ $points }
offers-open = 🏷 Мои предложения
