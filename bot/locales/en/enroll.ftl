enroll-intro =
    Welcome to Kopilka! 👋

    Pay as usual and earn points: 1 point = 1 ₽ off your next purchases.
    The more you buy in a year, the bigger the cashback:
    { $tiers }

    Joining gives you { $welcome } as a welcome gift.

    To keep your card we need your consent to process personal data: phone, name and birthday. You can erase them at any time with /privacy.
enroll-tier-line = • { $name } — { $rate } from { $threshold }
enroll-accept = ✅ I agree
enroll-decline = ❌ Not now
enroll-consent-hint = Press “I agree” or “Not now” under the message above.
enroll-declined = All right, we stored nothing. If you change your mind, press /start.
enroll-phone = Share your phone number with the button below: the cashier finds your card by it.
enroll-share-phone = 📱 Share my number
enroll-phone-hint = Press the “Share my number” button at the bottom of the screen.
enroll-phone-foreign = That is someone else's contact. Please share your own number with the button below.
enroll-phone-taken = This number already belongs to another card. If it is yours, please ask at the till.
enroll-name = How should we call you: { $name }?
enroll-name-yes = Yes, right
enroll-name-change = Change
enroll-name-ask = Type your name (up to 64 characters).
enroll-name-invalid = A name is 1 to 64 characters, without links or commands. Please try again.
enroll-birthday = Your birthday, for a gift on the day. Type it as DD.MM.YYYY or press “Skip”.
enroll-skip = Skip
enroll-birthday-invalid = That does not look like a birthday. Type it like 25.03.1990 or press “Skip”.
enroll-done = Done, { $name }! You are in, and your { $welcome } welcome gift is on the card.
enroll-already = You are already a member.
enroll-referred = A friend invited you — thanks for coming!
enroll-cancel = ✖️ Cancel
enroll-cancelled = Sign-up cancelled; we stored nothing. To start again, press /start.
enroll-help =
    You are signing up for Kopilka: consent, phone, name and (if you like) birthday — it takes a minute.
    Carry on from this step, /start to begin again, /cancel to stop.
stale-button = This button is out of date.
