"""Kubernetes quantities: what teams write, what Kubernetes gets back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenantctl.model.quantity import QuantityError, format_bytes, format_cpu, parse_bytes, parse_cpu


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
                                             ("500m", "did you mean 500Mi?"), (True, r"not true \(true/false\)"),
                                             ([1], "not a list"), ("0.3Ki", "not a whole number of bytes"),
                                             ("0", "more than 0"), ("4Gi ", "spaces around it"),
                                             ("4Gi\n", "spaces around it")])
def test_bytes_mistakes_get_a_hint(value, hint) -> None:
    with pytest.raises(QuantityError, match=hint):
        parse_bytes(value)


@pytest.mark.parametrize(("value", "hint"), [("4 cores", "did you mean 4?"), ("2Gi", "counted in cores"),
                                             ("0", "more than 0"), ("-1", "not a Kubernetes quantity"),
                                             ("0.0005", "e.g. 1m"), ("1.0005", "e.g. 1001m"), (None, "not nothing"),
                                             ("1.5 vcpu", "did you mean 1.5?")])
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


cpu_texts = st.one_of(
    st.integers(1, 10**6),
    st.integers(1, 10**7).map(lambda millis: f"{millis}m"),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=3).map(lambda d: f"{d:f}"),
)
size_texts = st.builds(lambda number, suffix: f"{number}{suffix}", st.integers(1, 10**6),
                       st.sampled_from(["Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E"]))


@given(text=cpu_texts)
def test_what_teams_write_for_cpu_survives_format_and_parse(text) -> None:
    cores = parse_cpu(text)
    assert parse_cpu(format_cpu(cores)) == cores
    assert format_cpu(parse_cpu(format_cpu(cores))) == format_cpu(cores)  # the canonical form is a fixed point


@given(text=size_texts)
def test_what_teams_write_for_sizes_survives_format_and_parse(text: str) -> None:
    size = parse_bytes(text)
    assert parse_bytes(format_bytes(size)) == size
    assert format_bytes(parse_bytes(format_bytes(size))) == format_bytes(size)


@pytest.mark.parametrize(("text", "canonical"), [("1024Mi", "1Gi"), ("0.5Gi", "512Mi"), ("1000M", "1G"),
                                                 ("2000m", "2"), ("0.5", "500m"), ("1.5", "1500m")])
def test_canonical_forms(text: str, canonical: str) -> None:
    parse, render = (parse_cpu, format_cpu) if text[-1] in "m0123456789" else (parse_bytes, format_bytes)
    assert render(parse(text)) == canonical
