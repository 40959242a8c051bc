stores-ask = Поделитесь геопозицией — покажу три ближайших магазина. Или напишите город или улицу.
stores-share-location = 📍 Отправить геопозицию
stores-none = Рядом с вами пока нет наших магазинов.
stores-title = Ближайшие магазины:
stores-line =
    { $n }. { $name } — { $distance }
       { $address }
       { $status }
stores-open = открыт до { $time }
stores-open-24h = открыт круглосуточно
stores-opens-today = закрыт, откроется сегодня в { $time }
stores-opens-tomorrow = закрыт, откроется завтра в { $time }
stores-opens-later = закрыт, откроется в { $day } в { $time }
stores-closed = временно не работает
stores-invalid-location = Не получилось прочитать геопозицию. Нажмите кнопку «Отправить геопозицию».
distance-m = { $n } м
distance-km = { $n } км
day-sun = воскресенье
day-mon = понедельник
day-tue = вторник
day-wed = среду
day-thu = четверг
day-fri = пятницу
day-sat = субботу
stores-far = В 50 км от вас наших магазинов пока нет. Ближайший город с нашими магазинами — { $city } ({ $distance }). Можно написать город или улицу — покажу магазины там.
stores-found-title = Магазины по запросу «{ $query }»:
stores-line-found =
    { $n }. { $name }
       { $address }
       { $status }
stores-rating = ★ { NUMBER($average, minimumFractionDigits: 1, maximumFractionDigits: 1) } · { $count } { $count ->
        [one] отзыв
        [few] отзыва
       *[many] отзывов
    }
