dashboard-link =
    Sign in to the metrics dashboard (one-time link, valid for { $minutes } { $minutes ->
        [one] minute
       *[other] minutes
    }):
    { $link }
dashboard-not-allowed = The metrics dashboard is for admins and marketers only.
cmd-dashboard = Metrics dashboard
