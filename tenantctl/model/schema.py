"""The JSON schema of tenant files, generated from the model, for editors and reviewers."""

from __future__ import annotations

import json

from tenantctl.model.tenant import Tenant

SCHEMA_PATH = "schema/tenant.schema.json"


def tenant_schema_text() -> str:
    schema = Tenant.model_json_schema(mode="validation")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": "https://tenant-platform.example/schema/tenant.schema.json", **schema}
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"
