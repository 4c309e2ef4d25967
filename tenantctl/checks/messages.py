"""Pydantic validation errors in plain words, each at the file:line of the field it is about."""

from __future__ import annotations

import datetime
import difflib
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core.core_schema import ErrorType

from tenantctl.model.tenant import Tenant
from tenantctl.source.problems import Problem
from tenantctl.source.yaml import YamlDocument


@dataclass(frozen=True)
class ModelError:
    """One pydantic error, with what the messages need to know about it."""

    kind: str
    message: str
    value: Any
    ctx: dict[str, Any]
    loc: list[str | int]
    is_key: bool
    model: type[BaseModel]

    @property
    def name(self) -> str:
        return str(self.loc[-1]) if self.loc else ""


def model_problems(document: YamlDocument, error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = [part for part in item["loc"] if part != "[key]"]
        found = ModelError(item["type"], item["msg"], item.get("input"), dict(item.get("ctx", {})), loc,
                           "[key]" in item["loc"], model)
        problems.append(document.problem(loc, plain_message(found)))
    return sorted(set(problems))


def plain_message(error: ModelError) -> str:
    """The error in words a tenant team understands, with what to do; pydantic's own text if none fits."""
    words = MESSAGES.get(error.kind)
    return words(error) if words else error.message


def _unknown_field(error: ModelError) -> str:
    allowed = _allowed_fields(error.model, error.loc[:-1])
    close = difflib.get_close_matches(error.name, allowed, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"allowed here: {', '.join(allowed)}"
    return f"unknown field {error.name!r}: remove it or fix the spelling; {hint}"


def _missing(error: ModelError) -> str:
    where = " (see schema/tenant.schema.json)" if error.model is Tenant else ""
    return f"required field {error.name!r} is missing: add it{where}"


def _pattern(error: ModelError) -> str:
    value = error.value
    if "a-z0-9" in str(error.ctx.get("pattern", "")):
        what = "name" if error.is_key else "value"
        return (f"{_show(value)} is not a valid {what}: use lowercase letters, digits and '-', starting and ending "
                "with a letter or digit (a DNS label)")
    if error.name == "contact":
        return f"{_show(value)} is not an e-mail address: write a mailbox that reaches the team, e.g. team@example.org"
    return f"{_show(value)} is not allowed here: use letters, digits and ':._@/-'"


def _literal(error: ModelError) -> str:
    shown = _show(error.value) if isinstance(error.value, str) else _describe(error.value)
    return f"{shown} is not allowed: {error.message.replace('Input should be', 'use')}"


def _mapping(error: ModelError) -> str:
    fix = ": remove the '- ' in front of the keys" if isinstance(error.value, list) else ""
    return f"write a mapping here (indented `key: value` lines), not {_describe(error.value)}{fix}"


def _text(error: ModelError) -> str:
    value = error.value
    fix = "" if isinstance(value, (dict, list)) or value is None else ": put it in quotes so YAML reads it as text"
    return f"write text here, not {_describe(value)}{fix}"


def _date(error: ModelError) -> str:
    detail = f": {error.ctx['error']}" if error.ctx.get("error") else ""
    return f"write a date as YYYY-MM-DD such as 2030-12-31, not {_describe(error.value)}{detail}"


def _too_small(error: ModelError) -> str:
    bound = error.ctx.get("ge", error.ctx.get("gt"))
    return f"{error.value} is too small: use {'at least' if 'ge' in error.ctx else 'more than'} {bound}"


def _too_large(error: ModelError) -> str:
    bound = error.ctx.get("le", error.ctx.get("lt"))
    return f"{error.value} is too large: use {'at most' if 'le' in error.ctx else 'less than'} {bound}"


def _whole_number(error: ModelError) -> str:
    return f"write a whole number such as 2 here, not {_describe(error.value)}"


def _boolean(error: ModelError) -> str:
    return f"write true or false here, not {_describe(error.value)}"


# pydantic error type -> the message a tenant team reads (https://docs.pydantic.dev/latest/errors/validation_errors/)
MESSAGES: dict[str, Callable[[ModelError], str]] = {
    "extra_forbidden": _unknown_field,
    "missing": _missing,
    "string_pattern_mismatch": _pattern,
    "literal_error": _literal,
    "dict_type": _mapping,
    "model_type": _mapping,
    "model_attributes_type": _mapping,
    "list_type": lambda error: f"write a list here (items starting with '- ', or [a, b]), not {_describe(error.value)}",
    "string_type": _text,
    "int_type": _whole_number,
    "int_parsing": _whole_number,
    "int_from_float": _whole_number,
    "bool_type": _boolean,
    "bool_parsing": _boolean,
    **{kind: _date for kind in typing.get_args(ErrorType) if kind.startswith(("date_", "datetime_"))},
    "greater_than_equal": _too_small,
    "greater_than": _too_small,
    "less_than_equal": _too_large,
    "less_than": _too_large,
    "string_too_short": lambda _error: "must not be empty: fill it in",
    "too_short": lambda _error: "must not be empty: add at least one entry",
    "string_too_long": lambda error: (f"is {len(error.value)} characters, at most {error.ctx.get('max_length')} are "
                                      "allowed: shorten it"),
    "invalid_key": lambda error: f"{error.name!r} is not a valid key: keys are plain names, e.g. `cpu: 4`",
    "value_error": lambda error: error.message.removeprefix("Value error, "),
}


def _show(value: Any, limit: int = 40) -> str:
    """A value as the user wrote it, quoted, cut short when long."""
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _describe(value: Any) -> str:  # noqa: PLR0911 - one return per kind of value
    """What the user wrote, in words that do not mention Python or ruamel types."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"{value} (a number)"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"{value.isoformat()} (a date)"
    return f"{_show(value)} (text)"


def _allowed_fields(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """Field names of the model found by walking `loc` from the top-level model."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str) \
                and part in current.model_fields:
            current = current.model_fields[part].annotation
        elif typing.get_origin(current) in (dict, list):
            current = typing.get_args(current)[-1]
        else:
            return []
    current = _unwrap(current)
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _unwrap(annotation: Any) -> Any:
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return annotation
