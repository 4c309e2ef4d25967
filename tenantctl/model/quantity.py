"""Kubernetes resource quantities: parse what teams write, render what Kubernetes expects."""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation, localcontext

BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
DECIMAL = {"k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
GIB = 2**30

_QUANTITY = re.compile(r"^(?P<number>[0-9]+(\.[0-9]*)?|\.[0-9]+)(?P<suffix>m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
# Units people write by habit, and the Kubernetes suffix they almost always mean.
_HABITS = {"kb": "Ki", "kib": "Ki", "mb": "Mi", "mib": "Mi", "gb": "Gi", "gib": "Gi", "tb": "Ti", "tib": "Ti",
           "g": "Gi", "m": "Mi", "t": "Ti"}


MAX_QUANTITY_CHARS = 24  # digits and point of the number part; with the precision below, arithmetic is exact
_PRECISION = 80  # > 24 digits x 2**60 (19 digits) and any cpu ratio: no product or quotient here is ever rounded


class QuantityError(ValueError):
    """A value that is not a valid Kubernetes quantity; the message says what to write instead."""


def _split(value: object, what: str) -> tuple[Decimal, str]:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        got = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else \
            "nothing" if value is None else f"{str(value).lower()} (true/false)" if isinstance(value, bool) else \
            f"a {type(value).__name__}"
        raise QuantityError(f"write a {what} such as {_example(what)} here, not {got}")
    # A YAML float keeps the digits the user wrote (source.yaml): 64000.0000000000000001 must not become 64000.0.
    text = getattr(value, "_yaml_text", None) or (repr(value) if isinstance(value, float) else str(value))
    if len(text) > MAX_QUANTITY_CHARS + 2:
        raise QuantityError(f"{text[:16]!r}... is {len(text)} characters long: a quantity has at most "
                            f"{MAX_QUANTITY_CHARS} digits; write it with a unit, e.g. {_example(what)}")
    if text != text.strip():
        raise QuantityError(f"{text!r} has spaces around it: remove them")
    match = _QUANTITY.match(text)
    if not match:
        hint = _hint(text, what)
        raise QuantityError(f"{text!r} is not a Kubernetes quantity{hint}")
    try:
        number = Decimal(match["number"])
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise QuantityError(f"{text!r} is not a number") from exc
    return number, match["suffix"] or ""


class _Number(str):
    """A number's digits as written, shown unquoted in messages like the number itself."""

    def __repr__(self) -> str:
        return str.__str__(self)


def _as_written(value: object) -> object:
    """A YAML float as the digits the user wrote (for messages); anything else unchanged."""
    text = getattr(value, "_yaml_text", None)
    return _Number(text) if text else value


def _example(what: str) -> str:
    return "4, '500m' or '2.5'" if what == "cpu" else "'4Gi', '512Mi' or '100Gi'"


def _hint(text: str, what: str) -> str:
    match = re.match(r"^([0-9.]+)\s*([A-Za-z]+)$", text)
    if match and what != "cpu":
        suffix = _HABITS.get(match[2].lower())
        if suffix:
            return f"; did you mean {match[1]}{suffix}?"
    cores = re.match(r"^([0-9.]+)\s*(cores?|cpus?|vcpus?)$", text, re.I) if what == "cpu" else None
    if cores:
        return f"; did you mean {cores[1]}?"
    return f"; write it like {_example(what)}"


def parse_cpu(value: object) -> Decimal:
    """Parse a cpu quantity (`4`, `"500m"`, `"2.5"`) into cores."""
    number, suffix = _split(value, "cpu")
    with localcontext(prec=_PRECISION):
        return _cpu(_as_written(value), number, suffix)


def _cpu(value: object, number: Decimal, suffix: str) -> Decimal:
    if suffix == "m":
        number = number / 1000
    elif suffix:
        raise QuantityError(f"cpu is counted in cores: write {number} or {number * 1000:f}m, not {value!r}")
    if number <= 0:
        raise QuantityError("cpu must be more than 0")
    if number * 1000 != (number * 1000).to_integral_value():
        rounded = number.quantize(Decimal("0.001"), rounding=ROUND_CEILING)
        raise QuantityError(f"{value!r} is more precise than Kubernetes counts cpu: use whole millicores "
                            f"(1m = 1/1000 core), e.g. {format_cpu(rounded)}")
    return number.normalize()


def parse_bytes(value: object) -> int:
    """Parse a memory or storage quantity (`"4Gi"`, `"512Mi"`, `"1G"`) into bytes."""
    number, suffix = _split(value, "size")
    with localcontext(prec=_PRECISION):
        return _bytes(_as_written(value), number, suffix)


def _bytes(value: object, number: Decimal, suffix: str) -> int:
    if number == 0:
        raise QuantityError("size must be more than 0")
    if suffix in ("", "m"):
        hint = f"{value}Gi" if suffix == "" else f"{number}Mi"
        raise QuantityError(f"{value!r} has no unit (or 'm', which means thousandths): did you mean {hint}?")
    multiplier = BINARY.get(suffix) or DECIMAL[suffix]
    size = number * multiplier
    if size != size.to_integral_value():
        raise QuantityError(f"{value!r} is not a whole number of bytes: use a smaller unit, "
                            "e.g. 300Mi rather than 0.3Gi")
    if size <= 0:
        raise QuantityError("size must be more than 0")
    return int(size)


def format_cpu(cores: Decimal) -> str:
    """Render cores the way Kubernetes prints them: `4`, `500m`, `2500m`."""
    cores = Decimal(cores)
    if cores == cores.to_integral_value():
        return str(int(cores))
    millis = cores * 1000
    if millis == millis.to_integral_value():
        return f"{int(millis)}m"
    return f"{cores.normalize():f}"


def format_bytes(size: int) -> str:
    """Render bytes with the largest exact suffix: `4Gi`, `512Mi`, `1G`."""
    for suffix, multiplier in sorted((*BINARY.items(), *DECIMAL.items()), key=lambda item: -item[1]):
        if size % multiplier == 0:
            return f"{size // multiplier}{suffix}"
    return str(size)


def gib(size: int) -> Decimal:
    """Bytes as GiB, for prices and reports."""
    return Decimal(size) / GIB
