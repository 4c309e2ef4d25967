"""Free text, label values and group names: what a tenant may write where a human reads it.

Every free-text field has a maximum length and an allowed character class: no control characters, no
bidirectional overrides or isolates, no zero-width or other invisible format characters (they hide or reorder
what a reviewer reads in a diff or PR comment). Label values are never empty: a name that has no letter or digit
a Kubernetes label can hold is refused here, so `validate` and the policy pack agree.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

# Unicode categories refused in free text: controls (Cc: tab, newline, ESC...), format characters (Cf: bidi
# overrides U+202A-202E, isolates U+2066-2069, marks U+200E/F, zero-width U+200B-200D, U+2060, U+FEFF, soft hyphen),
# surrogates, private use, unassigned, and line/paragraph separators.
REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
MAX_LABEL_VALUE = 63


def hidden_character(text: str) -> tuple[int, str] | None:
    """The first (1-based position, character) a reviewer could not see as written, or None."""
    for position, character in enumerate(text, 1):
        if unicodedata.category(character) in REFUSED_CATEGORIES:
            return position, character
    return None


def _character_name(character: str) -> str:
    return unicodedata.name(character, "a control character") if unicodedata.category(character) != "Cc" else \
        {"\t": "TAB", "\n": "LINE FEED (a line break)", "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE"}.get(
            character, "a control character")


def visible_text(value: str) -> str:
    """Refuse control, bidi and invisible characters, naming the first one and its position in the value."""
    found = hidden_character(value)
    if found:
        position, character = found
        raise ValueError(f"character {position} is U+{ord(character):04X} ({_character_name(character)}), which is "
                         "not allowed: remove it; write one line of visible characters")
    if value != value.strip():
        raise ValueError("has spaces at the start or end: remove them")
    return value


def label_value(text: str) -> str:
    """Free text as a valid label value: accents dropped (é -> e), lowercase, '-' for anything else, at most 63
    characters, starting and ending with a letter or digit. Empty when nothing label-safe is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9._-]+", "-", ascii_text.lower()).strip("-._")
    return slug[:MAX_LABEL_VALUE].rstrip("-._")


def label_safe(value: str) -> str:
    """The value must become a non-empty label value (the policy pack requires the labels it feeds)."""
    if not label_value(value):
        raise ValueError(f"{value[:40]!r} has no Latin letter or digit, so it cannot become a Kubernetes label "
                         "value: write it with Latin letters or digits (a-z, 0-9), e.g. the team's name in "
                         "English or transliterated")
    return value


def not_system_group(value: str) -> str:
    """Kubernetes' built-in groups (`system:authenticated`, `system:masters`, ...) are never tenant groups."""
    if value.lower().startswith("system:"):
        raise ValueError(f"{value!r} is a Kubernetes built-in group (system:...), which would grant access to "
                         "every user or service account it covers: use your identity provider's team group, "
                         "e.g. github:team-name")
    return value


def Text(max_length: int, *, min_length: int = 1, label: bool = False) -> Any:
    """A free-text type: `min_length`..`max_length` characters, visible ones only (and label-safe if `label`)."""
    validators = [AfterValidator(visible_text), *([AfterValidator(label_safe)] if label else [])]
    return Annotated[str, Field(min_length=min_length, max_length=max_length), *validators]


def exact_decimal(value: object) -> object:
    """A YAML number as an exact Decimal: an int, or a float read from the digits the user wrote (never through
    binary floating point). Booleans and text are left for strict validation to refuse."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        text = getattr(value, "_yaml_text", None)
        return Decimal(text) if text is not None else Decimal(repr(value))
    return value


ExactDecimal = Annotated[Decimal, BeforeValidator(exact_decimal)]

MAX_DESCRIPTION = 300
MAX_NAME_TEXT = 100
Description = Text(MAX_DESCRIPTION)  # one line a reviewer reads
LabelText = Text(MAX_NAME_TEXT, label=True)  # a team or cost centre: shown as text, and as a label value
ShortText = Text(253)  # a storage class, cluster, stack or context name (at most a DNS subdomain long)
