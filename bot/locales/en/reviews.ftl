review-thanks = Thank you for your rating: { $stars }
review-more = Would you add a few words or a photo? Reply to this message. The points for a review come once it is checked — the same for any rating.
review-more-placeholder = What did you like or not?
review-comment-thanks = Thank you! Your review went to the store.
review-late = This visit can no longer be rated: more than a week has passed. Thank you for responding!
review-unknown = This rating is not available.
review-moderated = The review has been checked already and cannot be changed.
reviews-none = No new reviews.
reviews-item = { $store } · { $stars } · { $name }
reviews-item-comment = { $store } · { $stars } · { $name }
    “{ $comment }”
reviews-approve = ✅ Approve
reviews-reject = ❌ Reject
reviews-approved = Approved: { $points } { $points ->
        [one] point
       *[other] points
    } credited
reviews-approved-cap = Approved without points: the member has had the most paid reviews for this week
reviews-rejected = Rejected
reviews-not-pending = This review has been checked already
reviews-not-found = Review not found
reviews-forbidden = This review is about another store
