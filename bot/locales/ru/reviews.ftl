review-thanks = Спасибо за оценку: { $stars }
review-more = Хотите добавить пару слов или фото? Ответьте на это сообщение. Баллы за отзыв придут после проверки — за любую оценку одинаково.
review-more-placeholder = Что понравилось или нет?
review-comment-thanks = Спасибо! Отзыв передан магазину.
review-late = Этот визит уже нельзя оценить: прошло больше недели. Спасибо, что откликнулись!
review-unknown = Эта оценка недоступна.
review-moderated = Отзыв уже проверен, изменить его нельзя.
reviews-none = Новых отзывов нет.
reviews-item = { $store } · { $stars } · { $name }
reviews-item-comment = { $store } · { $stars } · { $name }
    «{ $comment }»
reviews-approve = ✅ Одобрить
reviews-reject = ❌ Отклонить
reviews-approved = Одобрено: начислено { $points } { $points ->
        [one] балл
        [few] балла
       *[many] баллов
    }
reviews-approved-cap = Одобрено без баллов: у участника уже максимум оплачиваемых отзывов за неделю
reviews-rejected = Отклонено
reviews-not-pending = Этот отзыв уже проверен
reviews-not-found = Отзыв не найден
reviews-forbidden = Этот отзыв о другом магазине
