"""Kubernetes objects as multi-document YAML, the form `kubectl apply -f -` takes."""

from __future__ import annotations

import io
from typing import Any, Iterable

from ruamel.yaml import YAML

from tenantctl.source.tree import unsafe_char


def to_yaml(objects: Iterable[dict[str, Any]]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # keep apiVersion, kind, metadata, spec order
    documents = list(objects)
    buffer = io.StringIO()
    yaml.dump_all(documents, buffer)
    text = buffer.getvalue()
    if any(unsafe_char(char) and char != "\n" for char in text):
        # YAML escapes C0 controls but keeps bidi and zero-width characters raw: then escape all non-ASCII.
        yaml.allow_unicode = False
        buffer = io.StringIO()
        yaml.dump_all(documents, buffer)
        text = buffer.getvalue()
    return text
