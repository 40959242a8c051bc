menu-card = 💳 My card
menu-stores = 📍 Stores nearby
menu-invite = 🎁 Invite a friend
menu-settings = ⚙️ Settings

help =
    Kopilka is our chain's loyalty program.

    /card — card, balance and tier
    /stores — nearest stores
    /invite — invite a friend
    /offers — personal offers
    /challenges — challenges and badges
    /language — language
    /settings — notifications
    /privacy — my data
    /help — this help

    At the till, tell the cashier the member code from your card and points are added.
fallback = I understand commands and the menu buttons. Pick an action or press /help.
not-enrolled = You are not a member yet. Press /start to join — it takes a minute.
not-available = This command is not available.
too-many-requests = Too many messages at once. Please wait a little.
error-generic = Something went wrong. Please try again a bit later.
cancelled = Cancelled.
cmd-card = Card, balance and tier
cmd-stores = Nearest stores
cmd-invite = Invite a friend
cmd-settings = Notifications
cmd-language = Language
cmd-privacy = My data
cmd-help = Help
