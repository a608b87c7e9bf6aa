"""Approximate locations: snapping to a grid cell hides the precise point."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutua.core.geo import distance_m, snap_to_cell

# Keep away from the poles, where a longitude step of a few hundred metres stops making sense.
lats = st.floats(min_value=-80.0, max_value=80.0, allow_nan=False)
lons = st.floats(min_value=-179.9, max_value=179.9, allow_nan=False)
cells = st.integers(min_value=100, max_value=50_000)


@given(lat=lats, lon=lons, cell_m=cells)
def test_snapped_point_lies_within_about_a_cell_diagonal_of_the_input(lat, lon, cell_m):
    snapped = snap_to_cell(lat, lon, cell_m)

    # Half a diagonal in theory; allow for the band's cos(lat) being taken at its centre.
    assert distance_m(lat, lon, *snapped) <= cell_m * math.sqrt(2) * 1.05


@given(lat=lats, lon=lons, cell_m=cells)
def test_snapping_a_snapped_point_changes_nothing(lat, lon, cell_m):
    once = snap_to_cell(lat, lon, cell_m)

    assert snap_to_cell(*once, cell_m) == once


@given(lat=lats, lon=lons, cell_m=cells, dlat=st.floats(0, 1), dlon=st.floats(0, 1))
def test_two_points_in_the_same_cell_snap_to_the_same_centre(lat, lon, cell_m, dlat, dlon):
    centre = snap_to_cell(lat, lon, cell_m)
    # A second point drawn inside the middle half of the same cell.
    lat_step = cell_m / 111_320.0
    lon_step = cell_m / (111_320.0 * math.cos(math.radians(centre[0])))
    other = (
        centre[0] + (dlat - 0.5) * lat_step * 0.5,
        centre[1] + (dlon - 0.5) * lon_step * 0.5,
    )

    assert snap_to_cell(*other, cell_m) == centre


def test_nearby_points_in_different_cells_snap_apart():
    a = snap_to_cell(51.5, -0.12, 100)
    b = snap_to_cell(51.5 + 0.01, -0.12, 100)

    assert a != b


@pytest.mark.parametrize(
    ("lat", "lon", "cell_m"),
    [
        (90.5, 0.0, 500),
        (-91.0, 0.0, 500),
        (0.0, 180.5, 500),
        (0.0, -181.0, 500),
        (float("nan"), 0.0, 500),
        (0.0, float("inf"), 500),
        (10.0, 10.0, 0),
        (10.0, 10.0, -5),
    ],
)
def test_coordinates_or_cells_out_of_range_are_refused(lat, lon, cell_m):
    with pytest.raises(ValueError):
        snap_to_cell(lat, lon, cell_m)


def test_distance_between_one_degree_of_latitude_is_about_111_km():
    assert distance_m(0, 0, 1, 0) == pytest.approx(111_195, rel=0.001)
