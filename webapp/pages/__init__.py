"""What belongs to no one room: the home page, error pages, template helpers."""
