"""Product photos: HQ uploads them per product (and per colour); the shop and the till show them."""
