"""Kubernetes quantities: what teams write, what Kubernetes gets back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenantctl.quantity import QuantityError, format_bytes, format_cpu, parse_bytes, parse_cpu


@pytest.mark.parametrize(("text", "cores"), [(4, "4"), ("4", "4"), ("500m", "0.5"), ("2.5", "2.5"), (0.25, "0.25")])
def test_cpu(text, cores) -> None:
    assert parse_cpu(text) == Decimal(cores)


@pytest.mark.parametrize(("text", "size"), [("4Gi", 4 * 2**30), ("512Mi", 512 * 2**20), ("1G", 10**9),
                                            ("100Gi", 100 * 2**30), ("1.5Gi", 3 * 2**29), ("2Ti", 2 * 2**40)])
def test_bytes(text, size) -> None:
    assert parse_bytes(text) == size


@pytest.mark.parametrize(("value", "hint"), [("4GB", "did you mean 4Gi?"), ("512mb", "did you mean 512Mi?"),
                                             (100, "did you mean 100Gi?"), ("1 TB", "did you mean 1Ti?"),
                                             ("lots", "write it like"),
                                             ("500m", "did you mean 500Mi?"), (True, "got bool"), ([1], "got a list")])
def test_bytes_mistakes_get_a_hint(value, hint) -> None:
    with pytest.raises(QuantityError, match=hint):
        parse_bytes(value)


@pytest.mark.parametrize(("value", "hint"), [("4 cores", "did you mean 4?"), ("2Gi", "counted in cores"),
                                             ("0", "more than 0"), ("-1", "not a Kubernetes quantity")])
def test_cpu_mistakes_get_a_hint(value, hint) -> None:
    with pytest.raises(QuantityError, match=hint):
        parse_cpu(value)


@given(millis=st.integers(1, 10**7))
def test_cpu_round_trips(millis: int) -> None:
    text = format_cpu(Decimal(millis) / 1000)
    assert parse_cpu(text) == Decimal(millis) / 1000
    assert text == (str(millis // 1000) if millis % 1000 == 0 else f"{millis}m")


@given(size=st.integers(1, 2**50), unit=st.sampled_from([1, 2**10, 2**20, 2**30, 10**3, 10**6, 10**9]))
def test_bytes_round_trip(size: int, unit: int) -> None:
    text = format_bytes(size * unit)
    if text.isdigit():  # no suffix fits exactly: plain bytes, which tenants may not write but Kubernetes reads
        assert int(text) == size * unit
    else:
        assert parse_bytes(text) == size * unit
