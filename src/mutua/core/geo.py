"""Approximate locations: coordinates snapped to the centre of a square-ish grid cell."""

from __future__ import annotations

import math

METRES_PER_DEGREE_LAT = 111_320.0


def snap_to_cell(lat: float, lon: float, cell_m: int) -> tuple[float, float]:
    """Return the centre of the grid cell of about `cell_m` metres that contains the point.

    Latitude rows are fixed bands; each band's longitude step widens the cell near the poles so
    the cell stays about `cell_m` wide. Nobody can recover more than "somewhere in this cell".
    """
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError("coordinates out of range")
    if cell_m <= 0:
        raise ValueError("cell size must be positive")
    lat_step = cell_m / METRES_PER_DEGREE_LAT
    row = math.floor((lat + 90.0) / lat_step)
    centre_lat = min(90.0, -90.0 + (row + 0.5) * lat_step)
    lon_step = cell_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(centre_lat)), 0.01))
    lon_step = min(lon_step, 360.0)
    col = math.floor((lon + 180.0) / lon_step)
    centre_lon = -180.0 + (col + 0.5) * lon_step
    if centre_lon > 180.0:
        centre_lon -= 360.0
    return round(centre_lat, 6), round(centre_lon, 6)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(min(1.0, a)))
