"""The indexed CODEOWNERS lookup gives the same rule as scanning every rule (last match wins)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tenantctl.source.codeowners import CodeOwnersRule, owning_rule

PATTERNS = st.sampled_from(["*", "/tenants/", "tenants/", "/tenants/a.yaml", "/tenants/b.yaml", "/tenants",
                            "/tenants/*.yaml", "*.yaml", "a.yaml", "/tenants/a.yaml/", "/platform/",
                            "/tenants/[ab].yaml", "/tenants/a?yaml", "/docs/a.yaml", "/tenants/a.yml"])
PATHS = st.sampled_from(["tenants/a.yaml", "tenants/b.yaml", "tenants/c.yaml", "platform/settings.yaml",
                         "docs/a.yaml", "tenants/sub/a.yaml", "a.yaml"])


def scan(rules: list[CodeOwnersRule], path: str) -> CodeOwnersRule | None:
    matching = [rule for rule in rules if rule.matches(path)]
    return matching[-1] if matching else None


@hypothesis_settings(max_examples=400, deadline=None)
@given(patterns=st.lists(PATTERNS, max_size=8), path=PATHS)
def test_index_agrees_with_the_scan(patterns: list[str], path: str) -> None:
    rules = [CodeOwnersRule(line, pattern, ("@o/t",)) for line, pattern in enumerate(patterns, start=1)]
    assert owning_rule(rules, path) == scan(rules, path)


def test_a_fleet_sized_codeowners_is_fast() -> None:
    rules = [CodeOwnersRule(1, "*", ("@o/platform",))] + [
        CodeOwnersRule(n + 2, f"/tenants/t{n}.yaml", (f"@o/team{n}",)) for n in range(20_000)]
    for n in range(0, 20_000, 7):
        assert owning_rule(rules, f"tenants/t{n}.yaml") == rules[n + 1]
    assert owning_rule(rules, "tenants/unknown.yaml") == rules[0]
