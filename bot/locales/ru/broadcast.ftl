broadcast-progress-title = 📣 «{ $name }»: { $state }
broadcast-progress-counts = Отправлено { $sent } из { $total } · ошибки { $failed } · недоступны { $unreachable } · неизвестно { $unknown } · осталось { $left }
    Контрольная группа (без сообщения): { $control } · не отправлено из-за лимитов или настроек: { $skipped }
broadcast-progress-speed = Скорость { $speed } сообщ./с · осталось примерно { $eta }
broadcast-state-draft = черновик
broadcast-state-scheduled = запланирована
broadcast-state-running = идёт отправка
broadcast-state-paused = на паузе
broadcast-state-cancelled = отменена
broadcast-state-done = завершена
broadcast-pause = ⏸ Пауза
broadcast-resume = ▶️ Продолжить
broadcast-cancel = ✖️ Отменить
broadcast-toast-paused = Пауза
broadcast-toast-resumed = Продолжаем
broadcast-toast-cancelled = Отменено
broadcast-toast-not-now = Сейчас это невозможно
broadcast-toast-forbidden = Это доступно только маркетологам
broadcast-click-thanks = 👍 Принято
broadcast-usage = Напишите сообщение после команды: /broadcast Весенняя распродажа: −20 % на всё. Его получат все участники, кому можно писать, кроме контрольной группы в 10 %.
bw-segment-ask = 📣 Новая рассылка. Кому отправить?
bw-segment-saved = { $name } · { $members }
bw-segment-all = Всем участникам
bw-segment-lapsed = Давно не покупали
bw-segment-category = Покупали категорию
bw-segment-tier = Уровень
bw-lapsed-ask = Сколько дней без покупок? Напишите число, например 45.
bw-lapsed-hint = Нужно целое число дней от 1 до 3660, например 45.
bw-category-ask = Какую категорию покупали? Напишите её код из чеков, например coffee.
bw-tier-ask = Какой уровень?
bw-segment-empty = В этом сегменте сейчас никого нет (учитываются только те, кому можно писать). Выберите другой.
bw-segment-count = В сегменте { $members } { $members ->
        [one] участник
        [few] участника
       *[many] участников
    }, кому можно писать.
bw-message-ask = Напишите сообщение так, как его увидят участники: жирный, курсив и ссылки сохранятся. Можно отправить фото с подписью.
bw-message-hint = Нужен текст до 4096 символов или фото с подписью до 1024 символов.
bw-button-ask = Добавить к сообщению кнопку?
bw-button-none = Без кнопки
bw-button-link = Кнопка-ссылка
bw-link-ask = Напишите текст кнопки и адрес через «|», например: Подробнее | https://example.com/sale
bw-link-hint = Не получилось: нужен текст до 64 символов, «|» и адрес, начинающийся с https://
bw-preview = Так участники увидят вариант { $variant }:
bw-variant-ask = { $count ->
        [one] Один вариант сообщения.
       *[other] Вариантов: { $count }.
    } Добавить ещё один для A/B-теста? Участники получат варианты поровну.
bw-variant-add = Добавить вариант { $variant }
bw-variant-done = Дальше
bw-variant-message-ask = Напишите вариант { $variant }.
bw-control-ask = Какую долю сегмента оставить контрольной группой? Им ничего не придёт — с ними сравним покупки.
bw-control-choice = { $percent } %{ $default ->
        [1] {" "}(обычно)
       *[0] {""}
    }
bw-when-ask = Когда отправить? Тихие часы каждого участника всё равно соблюдаются.
bw-when-now = Сейчас
bw-when-tomorrow = Завтра в 10:00
bw-summary = Проверьте: { $members } { $members ->
        [one] участник
        [few] участника
       *[many] участников
    } в сегменте, { $variants ->
        [one] один вариант
        [few] { $variants } варианта
       *[many] { $variants } вариантов
    }, контрольная группа { $control } %, { $when ->
        [1] завтра в 10:00
       *[0] сейчас
    }.
bw-confirm = ✅ Отправить
bw-cancel = Отмена
bw-cancelled = Рассылка отменена, ничего не отправлено.
bw-use-buttons = Выберите вариант кнопкой выше.
bw-failed = Не получилось создать рассылку: { $reason }
