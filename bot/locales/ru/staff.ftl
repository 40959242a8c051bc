staff-usage-invite = Использование: /staff_invite <номер магазина>
staff-invite-link = Ссылка для сотрудника магазина «{ $store }» (действует 24 часа, один раз): { $link }
staff-joined = Вы — сотрудник магазина «{ $store }». Команды: /member, /purchase, /spend, /return.
staff-invite-invalid = Ссылка недействительна: она уже использована или истекла. Попросите новую у администратора.
staff-list-empty = Сотрудников пока нет.
staff-list-title = Сотрудники:
staff-list-line = { $name } — «{ $store }»
staff-revoke = Отозвать: { $name }
staff-revoked = Доступ отозван.
staff-usage-member = Использование: /member <код участника или телефон>
staff-usage-purchase = Использование: /purchase <код или телефон> <сумма, ₽> [номер чека]
staff-usage-spend = Использование: /spend <код или телефон> <баллы> <сумма чека, ₽> [номер чека]
staff-usage-return = Использование: /return <номер чека> <сумма возврата, ₽> [номер возврата]
staff-member =
    { $name } · код { $code }
    Статус: { $status }
    Уровень: { $tier } — { $rate }
    Баланс: { $balance } (сгорят за 30 дней: { $expiring })
    За период: { $visits } покупок на { $spend }
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
error-RETURN-EXCEEDS_PURCHASE = Сумма возврата больше, чем осталось по чеку ({ $returnable }).
error-LEDGER-INSUFFICIENT_POINTS = Недостаточно баллов.
error-REDEMPTION-CAP_EXCEEDED = Баллами можно оплатить не больше { $max } по этому чеку.
error-INPUT-INVALID_AMOUNT = Неверная сумма.
error-INPUT-INVALID_POINTS = Неверное количество баллов.
error-INPUT-INVALID = Неверные данные.
error-DB-UNAVAILABLE = База данных временно недоступна. Повторите через минуту.
error-other = Не получилось: { $code }.
cmd-member = Статус участника
cmd-purchase = Провести покупку
cmd-spend = Списать баллы
cmd-return = Возврат
