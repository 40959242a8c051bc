broadcast-progress-title = 📣 “{ $name }”: { $state }
broadcast-progress-counts = Sent { $sent } of { $total } · failed { $failed } · unreachable { $unreachable } · unknown { $unknown } · left { $left }
    Control group (not messaged): { $control } · held back by caps or settings: { $skipped }
broadcast-progress-speed = Speed { $speed } msg/s · about { $eta } left
broadcast-state-draft = draft
broadcast-state-scheduled = scheduled
broadcast-state-running = sending
broadcast-state-paused = paused
broadcast-state-cancelled = cancelled
broadcast-state-done = done
broadcast-pause = ⏸ Pause
broadcast-resume = ▶️ Resume
broadcast-cancel = ✖️ Cancel
broadcast-toast-paused = Paused
broadcast-toast-resumed = Resumed
broadcast-toast-cancelled = Cancelled
broadcast-toast-not-now = Not possible in this state
broadcast-toast-forbidden = Only marketers can do that
broadcast-click-thanks = 👍 Got it
broadcast-usage = Write the message after the command: /broadcast Spring sale: −20 % on everything. It goes to every member who can get it, except a 10 % control group.
bw-segment-ask = 📣 New broadcast. Who should get it?
bw-segment-saved = { $name } · { $members }
bw-segment-all = All members
bw-segment-lapsed = Lapsed shoppers
bw-segment-category = Bought a category
bw-segment-tier = Tier
bw-lapsed-ask = How many days without a purchase? Type a number, e.g. 45.
bw-lapsed-hint = A whole number of days from 1 to 3660, e.g. 45.
bw-category-ask = Which category did they buy? Type its code from the receipts, e.g. coffee.
bw-tier-ask = Which tier?
bw-segment-empty = Nobody is in this segment right now (only members we may write to count). Pick another.
bw-segment-count = { $members } { $members ->
        [one] member
       *[other] members
    } we may write to are in the segment.
bw-message-ask = Write the message as members will see it: bold, italics and links are kept. A photo with a caption works too.
bw-message-hint = A text of up to 4,096 characters, or a photo with a caption of up to 1,024.
bw-button-ask = Add a button to the message?
bw-button-none = No button
bw-button-link = Link button
bw-link-ask = Type the button's text and the address separated by "|", e.g.: Details | https://example.com/sale
bw-link-hint = That did not work: a text of up to 64 characters, "|" and an address starting with https://
bw-preview = Members will see variant { $variant } like this:
bw-variant-ask = { $count ->
        [one] One version of the message.
       *[other] { $count } versions.
    } Add another for an A/B test? Members get the versions in equal shares.
bw-variant-add = Add variant { $variant }
bw-variant-done = Next
bw-variant-message-ask = Write variant { $variant }.
bw-control-ask = What share of the segment is the control group? They get nothing; their purchases are the comparison.
bw-control-choice = { $percent } %{ $default ->
        [1] {" "}(usual)
       *[0] {""}
    }
bw-when-ask = When? Each member's quiet hours still hold.
bw-when-now = Now
bw-when-tomorrow = Tomorrow at 10:00
bw-summary = Check: { $members } { $members ->
        [one] member
       *[other] members
    } in the segment, { $variants ->
        [one] one version
       *[other] { $variants } versions
    }, control group { $control } %, { $when ->
        [1] tomorrow at 10:00
       *[0] now
    }.
bw-confirm = ✅ Send
bw-cancel = Cancel
bw-cancelled = Broadcast cancelled, nothing was sent.
bw-use-buttons = Pick an option with the buttons above.
bw-failed = Could not create the broadcast: { $reason }
