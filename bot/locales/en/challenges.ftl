cmd-challenges = Challenges and badges
challenges-title = 🎯 Challenges
challenges-none = No challenges right now — check back later.
challenges-not-enrolled = Challenges are for members: tap /start to join.
challenge-line = “{ $title }” — { $goal }
challenge-progress = { $bar } { $done } of { $target }
challenge-until = until { $date }
challenge-reward-points = reward: { $points }
challenge-reward-badge = reward: the { $badge } badge
challenge-reward-both = reward: { $points } and the { $badge } badge
challenge-finished = ✅ Done
challenge-again = completed { $count } { $count ->
        [one] time
       *[other] times
    }
challenges-badges = Your badges: { $badges }
goal-visits = { $count } { $count ->
        [one] visit
       *[other] visits
    } in { $days } { $days ->
        [one] day
       *[other] days
    }
goal-category = { $count } { $count ->
        [one] purchase
       *[other] purchases
    } in { $category } within a month
goal-streak = a purchase every week for { $weeks } weeks in a row{ $forgive ->
        [0] {""}
       *[other] {" "}({ $forgive } { $forgive ->
            [one] week
           *[other] weeks
        } may be missed)
    }
goal-stores = purchases in { $count } different stores
challenge-done-points = 🏆 Challenge “{ $title }” complete! +{ $points }. Balance: { $balance }.
challenge-done-badge = 🏆 Challenge “{ $title }” complete! Your new badge: { $badge }.
challenge-done-both = 🏆 Challenge “{ $title }” complete! +{ $points } and the { $badge } badge. Balance: { $balance }.
challenge-reversed = A purchase from a completed challenge was returned: −{ $points } of its reward. Balance: { $balance }.
