"""Pydantic validation errors in plain words, each at the file:line of the field it is about."""

from __future__ import annotations

import datetime
import difflib
import types
import typing
from typing import Any, Sequence

from pydantic import BaseModel, ValidationError

from tenantctl.model.tenant import Tenant
from tenantctl.source.problems import Problem
from tenantctl.source.yaml import YamlDocument


def model_problems(document: YamlDocument, error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = [part for part in item["loc"] if part != "[key]"]
        is_key = "[key]" in item["loc"]
        problems.append(document.problem(loc, _plain_message(item, loc, is_key, model)))
    return sorted(set(problems))


def _plain_message(item: Any, loc: list[str | int], is_key: bool, model: type[BaseModel]) -> str:
    kind, message, value, ctx = item["type"], item["msg"], item.get("input"), item.get("ctx", {})
    name = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        allowed = _allowed_fields(model, loc[:-1])
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed here: {', '.join(allowed)}"
        return f"unknown field {name!r}: remove it or fix the spelling; {hint}"
    if kind == "missing":
        where = " (see schema/tenant.schema.json)" if model is Tenant else ""
        return f"required field {name!r} is missing: add it{where}"
    if kind == "string_pattern_mismatch" and "a-z0-9" in str(ctx.get("pattern", "")):
        what = "name" if is_key else "value"
        return (f"{_show(value)} is not a valid {what}: use lowercase letters, digits and '-', starting and ending "
                "with a letter or digit (a DNS label)")
    if kind == "string_pattern_mismatch" and name == "contact":
        return f"{_show(value)} is not an e-mail address: write a mailbox that reaches the team, e.g. team@example.org"
    if kind == "string_pattern_mismatch":
        return f"{_show(value)} is not allowed here: use letters, digits and ':._@/-'"
    if kind == "literal_error":
        shown = _show(value) if isinstance(value, str) else _describe(value)
        return f"{shown} is not allowed: {message.replace('Input should be', 'use')}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        fix = ": remove the '- ' in front of the keys" if isinstance(value, list) else ""
        return f"write a mapping here (indented `key: value` lines), not {_describe(value)}{fix}"
    if kind == "list_type":
        return f"write a list here (items starting with '- ', or [a, b]), not {_describe(value)}"
    if kind == "string_type":
        fix = "" if isinstance(value, (dict, list)) or value is None else ": put it in quotes so YAML reads it as text"
        return f"write text here, not {_describe(value)}{fix}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"write a whole number such as 2 here, not {_describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"write true or false here, not {_describe(value)}"
    if kind.startswith("date_") or kind.startswith("datetime_"):
        detail = f": {ctx['error']}" if ctx.get("error") else ""
        return f"write a date as YYYY-MM-DD such as 2030-12-31, not {_describe(value)}{detail}"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return f"{value} is too small: use {'at least' if kind == 'greater_than_equal' else 'more than'} {bound}"
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return f"{value} is too large: use {'at most' if kind == 'less_than_equal' else 'less than'} {bound}"
    if kind == "string_too_short":
        return "must not be empty: fill it in"
    if kind == "too_short":
        return "must not be empty: add at least one entry"
    if kind == "string_too_long":
        return f"is {len(value)} characters, at most {ctx.get('max_length')} are allowed: shorten it"
    if kind == "invalid_key":
        return f"{name!r} is not a valid key: keys are plain names, e.g. `cpu: 4`"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    return message


def _show(value: Any, limit: int = 40) -> str:
    """A value as the user wrote it, quoted, cut short when long."""
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _describe(value: Any) -> str:
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
