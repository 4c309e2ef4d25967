"""Kubernetes objects as multi-document YAML, the form `kubectl apply -f -` takes."""

from __future__ import annotations

import io
from typing import Any, Iterable

from ruamel.yaml import YAML


def to_yaml(objects: Iterable[dict[str, Any]]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # keep apiVersion, kind, metadata, spec order
    buffer = io.StringIO()
    yaml.dump_all(list(objects), buffer)
    return buffer.getvalue()
