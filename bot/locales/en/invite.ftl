invite =
    🎁 Invite your friends to Kopilka!

    When a friend makes a first purchase of { $basket } or more and { $days } days pass (the return period), you both get { $points }.

    Your link: { $link }

    Friends who joined: { $count }
invite-share = 📨 Share the link
invite-share-text = Join Kopilka: we both get { $points } for your first purchase!
