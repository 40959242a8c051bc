notify-purchase = +{ $points } за покупку в «{ $store }». Баланс: { $balance }.
notify-spend-ask = «{ $store }» просит списать { $points } по чеку на { $amount }. Подтвердите в течение 2 минут.
notify-spend-yes = ✅ Подтверждаю
notify-spend-no = ❌ Отклонить
notify-spend-confirmed = ✅ Списано { $points }. Баланс: { $balance }.
notify-spend-declined = ❌ Списание отклонено. Баланс не изменился.
notify-spend-expired = ⌛ Время на подтверждение вышло — ничего не списано.
notify-return = Возврат в «{ $store }»: { $change }. Баланс: { $balance }.
