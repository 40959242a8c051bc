invite =
    🎁 Invite your friends to Kopilka!

    Your link: { $link }

    Friends who joined: { $count }
