notify-purchase = +{ $points } за покупку в «{ $store }». Баланс: { $balance }.
notify-spend-ask = «{ $store }» просит списать { $points } по чеку на { $amount }. Подтвердите в течение { $minutes } { $minutes ->
        [one] минуты
       *[other] минут
    }.
notify-spend-yes = ✅ Подтверждаю
notify-spend-no = ❌ Отклонить
notify-spend-confirmed = ✅ Списано { $points }. Баланс: { $balance }.
notify-spend-declined = ❌ Списание отклонено. Баланс не изменился.
notify-spend-expired = ⌛ Время на подтверждение вышло — ничего не списано.
notify-return = Возврат в «{ $store }»: { $change }. Баланс: { $balance }.
notify-tier-up = 🎉 Теперь у вас уровень «{ $tier }»: { $rate } баллами со следующей покупки.
notify-tier-down = Ваш уровень теперь «{ $tier }» ({ $rate } баллами): за последние 12 месяцев покупок стало меньше. Сколько осталось до следующего уровня — в /card.
notify-expiring = ⏳ { $points } сгорят { $date }. Потратьте их на кассе: баллами можно оплатить до { $cap } чека.
notify-referral-joined = 🎉 { $name } присоединяется к программе по вашему приглашению.
notify-referral-joined-anon = 🎉 Ваш друг присоединился к программе по вашему приглашению.
spend-toast-confirmed = ✅ Списание подтверждено
spend-toast-declined = ❌ Списание отклонено
spend-toast-expired = ⌛ Время на подтверждение вышло
spend-toast-done = Вы уже ответили на этот запрос
spend-toast-unknown = Этот запрос больше не действует
nps-ask = Спасибо за покупку в «{ $store }»! Насколько вероятно, что вы порекомендуете нас другу? Оцените от 0 (точно нет) до 10 (обязательно).
review-ask = Как прошёл ваш визит в «{ $store }»? Оцените от 1 до 5 звёзд — за отзыв начислим баллы.
review-credited = +{ $points } за ваш отзыв о «{ $store }». Спасибо!
review-alert = ⚠️ Низкая оценка визита в «{ $store }»: { $stars }
review-alert-comment = ⚠️ Низкая оценка визита в «{ $store }»: { $stars }
    «{ $comment }»
birthday-bonus = 🎂 С наступающим днём рождения! Дарим { $points }. Баланс: { $balance }.
referral-friend = Ваш друг
referral-purchase = 🛍 { $name } сделал(а) первую покупку. Баллы за приглашение придут, когда закроется срок возврата.
referral-rewarded = 🎁 +{ $points } за приглашение: { $name } с нами. Другу тоже начислили баллы.
referral-refused = Баллы за приглашение ({ $name }) не начислены: { $reason }.
referral-cancelled = Баллы за приглашение ({ $name }) не начислены: первую покупку вернули.
referral-reason-BASKET_TOO_SMALL = первая покупка меньше минимальной суммы
referral-reason-SELF_REFERRAL = нельзя пригласить самого себя
referral-reason-RETURNING_MEMBER = друг уже был участником программы
referral-reason-MONTHLY_CAP = достигнут лимит приглашений за месяц
referral-reason-RETURNED = покупку вернули
referral-friend-reward = 🎁 +{ $points } — подарок за то, что вы пришли по приглашению друга.
