"""Field types shared by the tenant and settings models, with JSON-schema hints for editors."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from tenantctl.model.quantity import parse_bytes, parse_cpu
from tenantctl.model.text import not_system_group, visible_text

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"

CpuQuantity = Annotated[
    Decimal,
    BeforeValidator(parse_cpu),
    WithJsonSchema({"type": ["number", "string"], "pattern": r"^([0-9]+(\.[0-9]*)?|\.[0-9]+)m?$",
                    "description": "Cores as a Kubernetes quantity: 4, '500m' or '2.5'."}),
]
SizeQuantity = Annotated[
    int,
    BeforeValidator(parse_bytes),
    WithJsonSchema({"type": "string", "pattern": r"^([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)$",
                    "description": "A Kubernetes quantity with a unit: '4Gi', '512Mi', '100Gi'."}),
]
DnsLabel = Annotated[str, Field(pattern=DNS_LABEL, min_length=1, max_length=63)]
Classification = Literal["BBN1", "BBN2", "BBN3"]
GroupName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9:._@/-]*$", min_length=1, max_length=256),
                      AfterValidator(not_system_group)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254), AfterValidator(visible_text)]


class Strict(BaseModel):
    """Base of every model: unknown fields are errors, values are immutable, types are strict (no bool <-> int, no
    float -> int, no numeric text for numbers, no text for booleans)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

# A GitHub user (`@name`) or team (`@org/team`) as CODEOWNERS writes it.
CODE_OWNER = r"^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?$"
CodeOwner = Annotated[str, Field(pattern=CODE_OWNER, min_length=2, max_length=140)]
