privacy =
    Your data in Kopilka: phone, name, birthday, purchases and point operations.

    You can download it as a file or erase it.
privacy-export = 📄 Download my data
privacy-delete = 🗑 Erase my data
privacy-export-caption = Your data in Kopilka.
privacy-delete-confirm = Erase your data? Your phone, name and birthday will be erased, the card closed and its points ({ $balance }) forfeited. This cannot be undone.
privacy-delete-yes = Yes, erase
privacy-delete-no = No, keep it
privacy-deleted = Done: your data is erased. Thank you for being with us. You can come back with /start.
privacy-kept = All right, nothing changed.
