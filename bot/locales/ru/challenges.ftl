cmd-challenges = Задания и значки
challenges-title = 🎯 Задания
challenges-none = Сейчас заданий нет — загляните позже.
challenges-not-enrolled = Задания доступны участникам программы: нажмите /start, чтобы вступить.
challenge-line = «{ $title }» — { $goal }
challenge-progress = { $bar } { $done } из { $target }
challenge-until = до { $date }
challenge-reward-points = награда: { $points }
challenge-reward-badge = награда: значок { $badge }
challenge-reward-both = награда: { $points } и значок { $badge }
challenge-finished = ✅ Выполнено
challenge-again = выполнено раз: { $count }
challenges-badges = Ваши значки: { $badges }
goal-visits = { $count } { $count ->
        [one] визит
        [few] визита
       *[many] визитов
    } за { $days } { $days ->
        [one] день
        [few] дня
       *[many] дней
    }
goal-category = { $count } { $count ->
        [one] покупка
        [few] покупки
       *[many] покупок
    } в категории «{ $category }» за месяц
goal-streak = покупка каждую неделю { $weeks } { $weeks ->
        [one] неделю
        [few] недели
       *[many] недель
    } подряд{ $forgive ->
        [0] {""}
       *[other] {", "}пропустить можно { $forgive } { $forgive ->
            [one] неделю
            [few] недели
           *[many] недель
        }
    }
goal-stores = покупки в { $count } { $count ->
        [one] магазине
       *[other] разных магазинах
    }
challenge-done-points = 🏆 Задание «{ $title }» выполнено! +{ $points }. Баланс: { $balance }.
challenge-done-badge = 🏆 Задание «{ $title }» выполнено! Ваш новый значок: { $badge }.
challenge-done-both = 🏆 Задание «{ $title }» выполнено! +{ $points } и значок { $badge }. Баланс: { $balance }.
challenge-reversed = Покупку из выполненного задания вернули: −{ $points } из награды. Баланс: { $balance }.
