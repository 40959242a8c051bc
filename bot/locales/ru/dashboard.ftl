dashboard-link =
    Вход в панель метрик (ссылка одноразовая, действует { $minutes } { $minutes ->
        [one] минуту
        [few] минуты
       *[many] минут
    }):
    { $link }
dashboard-not-allowed = Панель метрик доступна только администраторам и маркетологам.
cmd-dashboard = Панель метрик
