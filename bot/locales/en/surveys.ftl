nps-thanks = Thank you! Your score: { $score } out of 10.
nps-why = Sorry not everything was right. What should we do better? Reply to this message in a few words.
nps-why-placeholder = What should we do better?
nps-comment-thanks = Thank you, we passed your answer on to the store's team.
nps-late = This survey is closed now — thank you for responding!
nps-answered-before = You have answered this survey already, thank you!
nps-unknown = This survey is not available.
