card =
    💳 Карта Kopilka · { $name }

    Баланс: { $balance }
    Уровень: { $tier } — кешбэк { $rate }
    { $progress }
    Код участника для кассира: { $code }
card-progress-next = До уровня «{ $next }» осталось потратить { $remaining } до { $deadline }.
card-progress-next-nodate = До уровня «{ $next }» осталось потратить { $remaining }.
card-progress-top = У вас максимальный уровень.
card-expiring-title = ⏳ Скоро сгорят:
card-expiring-line = • { $points } — { $date }
card-ops-title = Последние операции:
card-ops-none = Операций пока нет.
card-op-line = • { $date } { $points } — { $what }
op-accrual = покупка
op-accrual-at = покупка в «{ $store }»
op-redemption = оплата баллами
op-welcome = приветственные баллы
op-review = за отзыв
op-referral = за друга
op-challenge = за задание
op-birthday = подарок ко дню рождения
op-expiry = сгорели
op-reversal = возврат
op-adjustment = корректировка
points = { $count ->
    [one] { $n } балл
    [few] { $n } балла
   *[other] { $n } баллов
}
card-how-to-spend = 💡 Баллами можно оплатить до { $share } чека: 1 балл = { $worth }. Баллы сгорают через { $months ->
    [one] { $months } месяц
    [few] { $months } месяца
   *[other] { $months } месяцев
} после покупки.
tier-base = Базовый
tier-silver = Серебряный
tier-gold = Золотой
