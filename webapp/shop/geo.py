"""Distances between the customer and the stores, as the crow flies.

Where the customer is: the coordinates the browser gave (geolocation), or the
centre of the district they chose, taken as the mean of the stores' positions
in that district (so any city's districts work without a map service).
"""
from math import asin, cos, radians, sin, sqrt

from flask_babel import gettext as _

from webapp.stores.models import Store

EARTH_RADIUS_M = 6_371_000

Position = tuple[float, float]


def distance_m(a: Position, b: Position) -> int:
    """Great-circle distance in metres (haversine)."""
    lat1, lng1, lat2, lng2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lng2 - lng1) / 2) ** 2
    return round(2 * EARTH_RADIUS_M * asin(sqrt(h)))


def position_of(store: Store) -> Position | None:
    if store.latitude is None or store.longitude is None:
        return None
    return (store.latitude, store.longitude)


def district_centre(stores: list[Store], district: str) -> Position | None:
    points = [position_of(s) for s in stores if s.district == district and position_of(s)]
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def valid_position(latitude, longitude) -> Position | None:
    """Coordinates from a form, or None when missing or impossible."""
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return (lat, lng)


def distance_label(metres: int | None) -> str:
    """A distance as a customer reads it: "350 米", "1.2 公里", "12 公里"; nothing when unknown.

    Metres round to tens (a position is never truer than that; "0 米" would say the customer is inside
    the store), kilometres to one decimal below 10 km and to whole ones above.
    """
    if metres is None or metres < 0:
        return ""
    if metres < 995:
        return _("%(m)s m", m=max(10, int(round(metres, -1))))
    if metres < 9950:
        return _("%(km)s km", km=f"{metres / 1000:.1f}")
    return _("%(km)s km", km=f"{metres / 1000:.0f}")
