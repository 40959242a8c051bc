staff-usage-invite = Использование: /staff_invite <номер магазина>
staff-invite-link = Ссылка для сотрудника магазина «{ $store }» (действует 24 часа, один раз): { $link }
staff-joined = Вы — сотрудник магазина «{ $store }». Команды: /member, /purchase, /spend, /return.
staff-invite-invalid = Ссылка недействительна: она уже использована или истекла. Попросите новую у администратора.
staff-list-empty = Сотрудников пока нет.
staff-list-title = Сотрудники:
staff-list-line = { $name } — «{ $store }»
staff-revoke = Отозвать: { $name }
staff-usage-member = Использование: /member <код участника или телефон>
staff-usage-purchase = Использование: /purchase <код или телефон> <сумма, ₽> [#номер чека]
    Например: /purchase 75386496 1 240,50 #R-1002
staff-usage-spend = Использование: /spend <код или телефон> <баллы> <сумма чека, ₽> [#номер чека]
    Например: /spend 75386496 300 1 240 #R-1002
staff-usage-return = Использование: /return <номер чека> <сумма возврата, ₽> [#номер возврата]
    Например: /return R-1002 1 240,50
staff-member =
    { $name } · код { $code }
    Статус: { $status }
    Уровень: { $tier } — { $rate }
    Баланс: { $balance } (сгорят за 30 дней: { $expiring })
    За период: { $visits ->
        [one] { $visits } покупка
        [few] { $visits } покупки
       *[other] { $visits } покупок
    } на { $spend }
    Последняя покупка: { $last }
    { $birthday }
staff-member-birthday = 🎂 День рождения на этой неделе!
staff-member-no-last = нет
staff-status-active = активен
staff-status-unreachable = не получает сообщения
staff-status-deleted = удалён
staff-purchase-done = Чек { $receipt }: { $amount }, начислено { $points } ({ $tier }, { $rate }). Баланс участника: { $balance }.
staff-purchase-replay = Этот чек уже проведён: начислено { $points }.
staff-spend-sent = Запрос на списание { $points } по чеку { $receipt } отправлен покупателю. Ждём подтверждения (2 минуты).
staff-spend-confirmed = ✅ Покупатель подтвердил: списано { $points } по чеку { $receipt }. К оплате деньгами: { $due }.
staff-spend-declined = ❌ Покупатель отклонил списание по чеку { $receipt }.
staff-spend-expired = ⌛ Покупатель не ответил: списание по чеку { $receipt } не проведено.
staff-return-done = Возврат по чеку { $receipt }: { $amount }. Снято { $reversed }, возвращено { $refunded }.{ $uncollected }
staff-return-uncollected = { " " }Не удалось снять { $points }: покупатель их уже потратил.
staff-error = ⚠️ { $message }
error-MEMBER-NOT_FOUND = Участник не найден.
error-STORE-NOT_FOUND = Магазин не найден.
error-STORE-INACTIVE = Магазин закрыт.
error-PURCHASE-NOT_FOUND = Чек не найден.
error-PURCHASE-RECEIPT_CONFLICT = Чек с этим номером уже проведён с другими данными.
error-RETURN-EXCEEDS_PURCHASE = Сумма возврата больше, чем осталось по чеку: вернуть можно не больше { $returnable }.
error-LEDGER-INSUFFICIENT_POINTS = Недостаточно баллов: запрошено { $requested }. Баланс участника: { $balance }.
error-REDEMPTION-CAP_EXCEEDED = Баллами можно оплатить не больше { $capLeft } ({ $maxShareBp } чека). Баланс участника: { $balance }.
error-INPUT-INVALID_AMOUNT = Неверная сумма: нужна сумма в рублях, от 0,01 до 10 000 000 ₽.
error-INPUT-INVALID_POINTS = Неверное количество баллов: нужно целое число больше нуля.
error-INPUT-INVALID = Неверные данные.
error-DB-UNAVAILABLE = База данных временно недоступна. Повторите через минуту.
error-other = Не получилось провести операцию. Попробуйте ещё раз; если повторится — сообщите администратору.
cmd-member = Статус участника
cmd-purchase = Провести покупку
cmd-spend = Списать баллы
cmd-return = Возврат
cmd-reviews = Отзывы: проверить
error-PURCHASE-CANCEL_EXPIRED = Отменить покупку можно только в первые { $minutes } мин. Оформите возврат: /return.
staff-input-missing-member = Не указан участник: код из 8 цифр или телефон.
staff-input-missing-amount = Не указана сумма чека.
staff-input-missing-points = Не указано, сколько баллов списать.
staff-input-missing-receipt = Не указан номер чека.
staff-input-member = «{ $text }» — не код участника (8 цифр) и не телефон.
staff-input-amount = «{ $text }» — не сумма. Пишите рубли: 1240, 1 240,50 или 1240.50.
staff-input-ambiguous = «{ $text }» можно понять по-разному: { $readings }? Напишите сумму без точки-разделителя тысяч, например 1 240 или 1240,50.
staff-input-or = { " " }или{ " " }
staff-input-receipt-unmarked = Что такое «{ $receipt }» после суммы { $amount }: номер чека или часть суммы? Номер чека пишите с #: #{ $receipt }.
staff-input-points = «{ $text }» — не число баллов. Пишите целое число, например 300.
staff-input-extra = Не понял «{ $text }». Проверьте команду.
staff-confirm-above-limit = Сумма { $amount } больше { $limit }. Проверьте чек { $receipt } и подтвердите.
staff-confirm-above-usual = Сумма { $amount } в { $multiple } с лишним раз больше обычного чека этого покупателя ({ $usual }). Проверьте чек { $receipt } и подтвердите.
staff-confirm-yes = ✅ Провести { $amount }
staff-confirm-no = Отмена
staff-confirm-dropped = Покупка не проведена.
staff-confirm-stale = Эта покупка уже проведена или отменена.
staff-cancel-button = ↩️ Отменить
staff-cancel-done = ↩️ Покупка по чеку { $receipt } на { $amount } отменена: снято { $reversed }. Баланс участника: { $balance }.
staff-cancel-done-toast = Покупка отменена.
staff-cancel-already = Эта покупка уже отменена.
staff-cancel-expired = Отменить покупку можно только в первые { $minutes } мин. Оформите возврат командой /return.
staff-start = Вы сотрудник программы Kopilka. Команды — в /help. Чтобы самим стать участником как покупатель, нажмите /start join.
staff-help =
    Команды сотрудника магазина:
    /member 75386496 — статус участника (код или телефон: /member +7 912 345-67-89)
    /purchase 75386496 1 240,50 #R-1002 — провести покупку; номер чека пишите с #, без него номер придумается сам
    /spend 75386496 300 1 240 #R-1002 — списать 300 баллов по чеку на 1 240 ₽ (покупатель подтверждает в Telegram)
    /return R-1002 1 240,50 — возврат по чеку (часть суммы или вся)
    /reviews — новые отзывы о магазине: одобрить (покупатель получит баллы) или отклонить
    Суммы пишите как удобно: 1240, 1 240,50, 1240.50 ₽. Под проведённой покупкой 10 минут есть кнопка «↩️ Отменить».
admin-help =
    Команды администратора:
    /stores — магазины с номерами
    /staff_invite 3 — ссылка-приглашение для сотрудника магазина № 3
    /staff — сотрудники; отозвать доступ
    /reviews — новые отзывы обо всех магазинах
    /broadcast — рассылка участникам: сегмент, сообщение, A/B-тест, контрольная группа
    /dashboard — ссылка на панель метрик
staff-revoke-confirm = Отозвать доступ у { $name } (магазин «{ $store }»)?
staff-revoke-yes = Да, отозвать
staff-revoke-no = Нет
staff-revoke-kept = Доступ оставлен.
staff-revoke-gone = Этот сотрудник уже без доступа.
staff-revoked-named = Доступ отозван: { $name }, «{ $store }». Сотрудник получил сообщение.
staff-revoked-you = Ваш доступ сотрудника магазина «{ $store }» отозван администратором. Команды кассира больше не работают.
admin-stores-title = Магазины (номер — для /staff_invite):
admin-stores-line = № { $id } — { $name }, { $address }
admin-stores-line-closed = № { $id } — { $name }, { $address } (закрыт)
admin-stores-empty = Магазинов пока нет.
admin-stores-hint = Пригласить сотрудника: /staff_invite <номер>.
staff-spend-post = 🧾 Провести покупку (деньгами { $due })
staff-usage-gift = Использование: /gift <код подарка>
    Например: /gift K7M2QX9A
staff-gift-done =
    🎁 Выдайте подарок: { $gift }
    Предложение «{ $title }», код { $code }. Код погашен, второй раз подарок не выдаётся.
error-GIFT-NOT_FOUND = Подарка с таким кодом нет. Проверьте код.
error-GIFT-ALREADY_REDEEMED = Этот подарок уже выдан { $when } в магазине «{ $store }». Второй раз не выдаётся.
error-GIFT-EXPIRED = Срок подарка истёк: предложение закончилось { $when }.
error-GIFT-NOT_ACTIVE = Предложение с этим подарком сейчас приостановлено: выдать подарок нельзя.
error-GIFT-WRONG_STORE = Этот подарок выдаётся только в магазинах акции, в этом магазине — нет.
cmd-gift = Выдать подарок по коду
