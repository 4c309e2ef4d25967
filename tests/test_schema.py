"""The tenant file JSON schema: generated from the model, committed, and in agreement with it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from typer.testing import CliRunner

from tenantctl.cli.app import app
from tenantctl.model.quantity import QuantityError, parse_bytes, parse_cpu
from tenantctl.model.schema import SCHEMA_PATH, tenant_schema_text
from tests.conftest import FIXTURE, REPO

runner = CliRunner()


def test_committed_schema_is_up_to_date() -> None:
    assert (REPO / SCHEMA_PATH).read_text() == tenant_schema_text(), "run `tenantctl schema` and commit"
    assert runner.invoke(app, ["schema", "--check", "--root", str(REPO)]).exit_code == 0


def test_schema_check_fails_when_stale(scratch_repo: Path) -> None:
    (scratch_repo / SCHEMA_PATH).write_text("{}\n")
    result = runner.invoke(app, ["schema", "--check", "--root", str(scratch_repo)])
    assert result.exit_code == 1 and "stale" in result.stderr
    assert runner.invoke(app, ["schema", "--root", str(scratch_repo)]).exit_code == 0
    assert (scratch_repo / SCHEMA_PATH).read_text() == tenant_schema_text()


def test_shipped_tenants_satisfy_the_schema_and_a_bad_one_does_not() -> None:
    schema = json.loads((REPO / SCHEMA_PATH).read_text())
    yaml = YAML(typ="safe", pure=True)
    for path in (FIXTURE / "tenants").glob("*.yaml"):
        jsonschema.validate(yaml.load(path.read_text()), schema)
    bad = yaml.load((FIXTURE / "tenants/amt.yaml").read_text())
    bad["environments"]["prod"]["memory"] = "4GB"
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError as error:
        assert list(error.absolute_path) == ["environments", "prod", "memory"]
    else:
        raise AssertionError("4GB should not satisfy the schema")


def test_every_field_is_documented() -> None:
    schema = json.loads(tenant_schema_text())

    def undocumented(node: dict, path: str) -> list[str]:
        missing = []
        for name, prop in node.get("properties", {}).items():
            target = schema["$defs"][prop["$ref"].rsplit("/", 1)[1]] if "$ref" in prop else prop
            if not (prop.get("description") or target.get("description")):
                missing.append(f"{path}{name}")
        return missing

    problems = undocumented(schema, "")
    for name, definition in schema["$defs"].items():
        problems += undocumented(definition, f"{name}.")
    assert problems == []


SCHEMA = json.loads(tenant_schema_text())
quantity_text = st.text(alphabet=list("0123456789.mKiMGTPE -"), max_size=8)


@hypothesis_settings(max_examples=300, deadline=None)
@given(text=quantity_text)
def test_every_cpu_the_model_accepts_the_schema_accepts(text: str) -> None:
    try:
        parse_cpu(text)
    except QuantityError:
        return
    jsonschema.validate(text, SCHEMA["$defs"]["Environment"]["properties"]["cpu"])


@hypothesis_settings(max_examples=300, deadline=None)
@given(text=quantity_text)
def test_every_size_the_model_accepts_the_schema_accepts(text: str) -> None:
    try:
        parse_bytes(text)
    except QuantityError:
        return
    jsonschema.validate(text, SCHEMA["$defs"]["Environment"]["properties"]["memory"])


def test_editors_flag_what_the_model_refuses() -> None:
    """The schema is for editors: the common mistakes must show there too, not only in `tenantctl validate`."""
    environment = SCHEMA["$defs"]["Environment"]
    for field, wrong in (("cpu", "2 cores"), ("memory", "4GB"), ("memory", "100"), ("cpu", "2Gi")):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"cpu": 1, "memory": "1Gi", field: wrong}, {**environment, "$defs": SCHEMA["$defs"]})
