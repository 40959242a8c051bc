language-choose = Choose a language:
language-set = Language: English.
settings-title = Settings
settings-notifications-on = 🔔 Notifications: on
settings-notifications-off = 🔕 Notifications: off
settings-language = 🌐 Language
