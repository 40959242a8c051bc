stores-ask = Share your location and I will show the three nearest stores. Or type a city or street.
stores-share-location = 📍 Send my location
stores-none = There are no stores of ours near you yet.
stores-title = Nearest stores:
stores-line =
    { $n }. { $name } — { $distance }
       { $address }
       { $status }
stores-open = open until { $time }
stores-open-24h = open around the clock
stores-opens-today = closed, opens today at { $time }
stores-opens-tomorrow = closed, opens tomorrow at { $time }
stores-opens-later = closed, opens on { $day } at { $time }
stores-closed = temporarily closed
stores-invalid-location = I could not read that location. Press “Send my location”.
distance-m = { $n } m
distance-km = { $n } km
day-sun = Sunday
day-mon = Monday
day-tue = Tuesday
day-wed = Wednesday
day-thu = Thursday
day-fri = Friday
day-sat = Saturday
stores-far = There are no stores of ours within 50 km of you yet. The nearest city with our stores is { $city } ({ $distance }). You can type a city or street to see the stores there.
stores-found-title = Stores for “{ $query }”:
stores-line-found =
    { $n }. { $name }
       { $address }
       { $status }
stores-rating = ★ { NUMBER($average, minimumFractionDigits: 1, maximumFractionDigits: 1) } · { $count } { $count ->
        [one] review
       *[other] reviews
    }
