language-choose = Выберите язык:
language-set = Язык: русский.
settings-title = Настройки
settings-notifications-on = 🔔 Уведомления: включены
settings-notifications-off = 🔕 Уведомления: выключены
settings-language = 🌐 Язык
