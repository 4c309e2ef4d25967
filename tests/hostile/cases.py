"""Hostile tenant files, one per way the red team (and we) found to break validation, each with the error a team
must see: the line, the field and words from the message. Used by the tests and by benchmarks/bench_hostile.py."""

from __future__ import annotations

from dataclasses import dataclass

HEADER = """description: Hostile input case
owner:
  team: Team
  contact: team@example.org
  cost_center: CC-1
data_classification: BBN1
"""
ENV = "environments:\n  test:\n    cpu: 1\n    memory: 1Gi\n"


@dataclass(frozen=True)
class Case:
    name: str  # the tenant (and file) name
    kind: str  # the class from issue 14: bounded, traceback, strict, guardrail
    text: str  # the file body after `name: <name>`
    line: int  # expected line of the first problem
    field: str  # expected field of that problem ("" for whole-file problems)
    words: str  # words the message must contain

    def content(self) -> bytes:
        body = self.text
        if body.startswith("%YAML"):
            directive, _, rest = body.partition("\n")
            return f"{directive}\n---\nname: {self.name}\n{rest}".encode()
        return f"name: {self.name}\n{body}".encode()


def _laughs(levels: int, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _mapping_laughs(levels: int) -> str:
    lines = ["m0: &m0 {a: lol, b: lol, c: lol, d: lol}"]
    lines += [f"m{i}: &m{i} {{a: *m{i - 1}, b: *m{i - 1}, c: *m{i - 1}, d: *m{i - 1}}}" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


DIGITS = "9" * 5000
BIG = "1" * 200_000  # a 200 KB number: under the file size limit, far over the number limit

CASES: list[Case] = [
    # --- unbounded work ---------------------------------------------------------------------------------------
    Case("bomb-seq", "bounded", HEADER + ENV + _laughs(12), 12, "a0", "anchor &a0 is not allowed"),
    Case("bomb-map", "bounded", HEADER + ENV + _mapping_laughs(14), 12, "m0", "anchor &m0 is not allowed"),
    Case("bomb-merge", "bounded", HEADER + "environments:\n  test:\n    <<: {cpu: 1, memory: 1Gi}\n", 10,
         "environments.test", "merge key << is not allowed"),
    Case("bomb-typed", "bounded", HEADER + "environments:\n  test:\n    cpu: *c\n    memory: 1Gi\n", 10,
         "environments.test.cpu", "alias *c is not allowed"),
    Case("deep", "bounded", HEADER + ENV + "x: " + "[" * 5000 + "]" * 5000 + "\n", 12, "x", "too deeply"),
    Case("deep-map", "bounded", HEADER + ENV + "x: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", 12, "x",
         "too deeply"),
    Case("oversize", "bounded", HEADER + ENV + "# " + "x" * (300 * 1024) + "\n", 1, "", "larger than 256 KiB"),
    Case("many-keys", "bounded", HEADER + ENV + "".join(f"k{i}: 1\n" for i in range(20_000)), 12, "k0",
         "unknown field 'k0'"),
    # --- tracebacks -------------------------------------------------------------------------------------------
    Case("tag-float", "traceback", HEADER + "environments:\n  test:\n    cpu: !!float abc\n    memory: 1Gi\n", 10,
         "environments.test.cpu", "YAML tag !!float is not allowed"),
    Case("tag-bool", "traceback", HEADER + "environments:\n  test:\n    cpu: 1\n    memory: 1Gi\n"
         "    production: !!bool maybe\n", 12, "environments.test.production", "YAML tag !!bool is not allowed"),
    Case("digits-plain", "traceback", HEADER + f"environments:\n  test:\n    cpu: {DIGITS}\n    memory: 1Gi\n", 10,
         "environments.test.cpu", "far too long"),
    Case("digits-quoted", "traceback", HEADER + f"environments:\n  test:\n    cpu: '{DIGITS}m'\n    memory: 1Gi\n",
         10, "environments.test.cpu", "at most 24 digits"),
    Case("digits-memory", "traceback", HEADER + f"environments:\n  test:\n    cpu: 1\n    memory: '{DIGITS}Ei'\n",
         11, "environments.test.memory", "at most 24 digits"),
    Case("digits-float", "traceback", HEADER + f"environments:\n  test:\n    cpu: 1.{DIGITS}\n    memory: 1Gi\n",
         10, "environments.test.cpu", "far too long"),
    Case("digits-huge", "traceback", HEADER + f"environments:\n  test:\n    cpu: 1\n    memory: 1Gi\n"
         f"    backups: {{per_day: {BIG}, retention_days: 1}}\n", 12, "environments.test.backups.per_day",
         "far too long"),
    Case("exponent-huge", "traceback", HEADER + "environments:\n  test:\n    cpu: 1e999999\n    memory: 1Gi\n", 10,
         "environments.test.cpu", "not a Kubernetes quantity"),
    Case("date-huge", "traceback", HEADER + ENV + "status: decommissioned\nretain_until: 99999-12-31\n", 13,
         "retain_until", "date"),
    # --- not strict enough ------------------------------------------------------------------------------------
    Case("bool-as-int", "strict", HEADER + ENV + "    backups: {per_day: true, retention_days: 30}\n", 12,
         "environments.test.backups.per_day", "not true"),
    Case("text-as-bool", "strict", HEADER + ENV + "    production: \"no\"\n", 12, "environments.test.production",
         "write true or false"),
    Case("yaml11-bool", "strict", HEADER + ENV + "    production: yes\n", 12, "environments.test.production",
         "write true or false"),
    Case("int-as-bool", "strict", HEADER + ENV + "    production: 0\n", 12, "environments.test.production",
         "write true or false"),
    Case("float-as-int", "strict", HEADER + ENV + "    backups: {per_day: 1, retention_days: 30.0}\n", 12,
         "environments.test.backups.retention_days", "whole number"),
    Case("text-as-int", "strict", HEADER + ENV + "    backups: {per_day: \"2\", retention_days: 30}\n", 12,
         "environments.test.backups.per_day", "whole number"),
    Case("exponent", "strict", HEADER + "environments:\n  test:\n    cpu: 1e3\n    memory: 1Gi\n", 10,
         "environments.test.cpu", "not a Kubernetes quantity"),
    Case("hex", "strict", HEADER + ENV + "    backups: {per_day: 0x2, retention_days: 30}\n", 12,
         "environments.test.backups.per_day", "whole number"),
    Case("octal", "strict", HEADER + ENV + "    backups: {per_day: 0o2, retention_days: 30}\n", 12,
         "environments.test.backups.per_day", "whole number"),
    Case("underscore", "strict", HEADER + ENV + "    backups: {per_day: 1, retention_days: 1_0}\n", 12,
         "environments.test.backups.retention_days", "whole number"),
    Case("yaml11", "strict", "%YAML 1.1\n" + HEADER + "environments:\n  test:\n    cpu: 1:00\n    memory: 1Gi\n", 1,
         "", "%YAML 1.1 is not supported"),
    Case("yaml13", "strict", "%YAML 1.3\n" + HEADER + ENV, 1, "", "%YAML 1.3 is not supported"),
    Case("tag-binary", "strict", HEADER + ENV + "access:\n  admin:\n  - !!binary c3lzdGVtOmF1dGhlbnRpY2F0ZWQ=\n", 14,
         "access.admin[0]", "YAML tag !!binary is not allowed"),
    Case("tag-set", "strict", HEADER + ENV + "access: !!set {github:a}\n", 12, "access", "!!set"),
    Case("tag-omap", "strict", HEADER + "environments: !!omap\n- test: {cpu: 1, memory: 1Gi}\n", 8, "environments",
         "!!omap"),
    Case("tag-str", "strict", HEADER.replace("cost_center: CC-1", "cost_center: !!str 4711") + ENV, 6,
         "owner.cost_center", "!!str"),
    Case("tag-custom", "strict", HEADER + ENV + "access: {admin: [!group github:a]}\n", 12, "access.admin[0]",
         "!group"),
    Case("tag-key", "strict", HEADER + ENV + "? !!str access\n: {}\n", 12, "", "YAML tag !!str"),
    Case("tag-python", "strict", HEADER + "environments:\n  test:\n    cpu: !!python/object/apply:os.system [id]\n",
         10, "environments.test.cpu", "YAML tag"),
    Case("precision", "strict", HEADER + "environments:\n  test:\n    cpu: 64000.0000000000000001m\n    memory: 1Gi\n",
         10, "environments.test.cpu", "more precise"),
    Case("precision-float", "strict", HEADER + "environments:\n  test:\n    cpu: 64.0000000000000000001\n"
         "    memory: 1Gi\n", 10, "environments.test.cpu", "more precise"),
    Case("precision-size", "strict", HEADER + "environments:\n  test:\n    cpu: 1\n"
         "    memory: '1.0000000000000000001Gi'\n",
         11, "environments.test.memory", "whole number of bytes"),
    Case("long-description", "strict", HEADER.replace("Hostile input case", "x" * 20_000) + ENV, 2, "description",
         "at most 300"),
    Case("bidi", "strict", HEADER.replace("Hostile input case", "\"Pay \\u202Eexe.pdf\"") + ENV, 2, "description",
         "U+202E"),
    Case("bidi-isolate", "strict", HEADER.replace("team: Team", "team: \"Team\\u2066x\"") + ENV, 4, "owner.team",
         "U+2066"),
    Case("zero-width", "strict", HEADER.replace("team: Team", "team: \"Te\\u200Bam\"") + ENV, 4, "owner.team",
         "U+200B"),
    Case("bom-inside", "strict", HEADER.replace("cost_center: CC-1", "cost_center: \"CC\\uFEFF1\"") + ENV, 6,
         "owner.cost_center", "U+FEFF"),
    Case("escape", "strict", HEADER.replace("Hostile input case", "\"red \\e[31m\"") + ENV, 2, "description",
         "U+001B"),
    Case("newline", "strict", HEADER.replace("Hostile input case", "\"two\\nlines\"") + ENV, 2, "description",
         "U+000A"),
    Case("line-separator", "strict", HEADER.replace("Hostile input case", "\"a\\u2028b\"") + ENV, 2, "description",
         "U+2028"),
    Case("raw-control", "strict", HEADER.replace("Hostile input case", "bell\x07") + ENV, 2, "", "U+0007"),
    Case("contact-bidi", "strict", HEADER.replace("team@example.org", "\"team\\u202E@example.org\"") + ENV, 5,
         "owner.contact", "U+202E"),
    Case("storage-class-hidden", "strict", HEADER + ENV + "    storage:\n    - {name: d, size: 1Gi, "
         "storage_class: \"fast\\u200B\"}\n", 13, "environments.test.storage[0].storage_class", "U+200B"),
    Case("label-cyrillic", "strict", HEADER.replace("team: Team", "team: Команда") + ENV, 4, "owner.team",
         "Latin letters"),
    Case("label-punctuation", "strict", HEADER.replace("cost_center: CC-1", "cost_center: \"---\"") + ENV, 6,
         "owner.cost_center", "Latin letters"),
    # --- guardrail bypasses -----------------------------------------------------------------------------------
    Case("group-unauthenticated", "guardrail", HEADER + ENV + "access:\n  view: [\"system:unauthenticated\"]\n", 13,
         "access.view[0]", "built-in group"),
    Case("group-authenticated", "guardrail", HEADER + ENV + "access:\n  edit: [\"system:authenticated\"]\n", 13,
         "access.edit[0]", "built-in group"),
    Case("group-serviceaccounts", "guardrail", HEADER + ENV + "access:\n  edit: [\"system:serviceaccounts\"]\n", 13,
         "access.edit[0]", "built-in group"),
    Case("group-masters", "guardrail", HEADER + ENV + "access:\n  admin: [\"system:masters\"]\n", 13,
         "access.admin[0]", "built-in group"),
    Case("group-masters-case", "guardrail", HEADER + ENV + "access:\n  admin: [\"System:Masters\"]\n", 13,
         "access.admin[0]", "built-in group"),
    *(Case(tenant, "guardrail", HEADER + f"environments:\n  {env}:\n    cpu: 1\n    memory: 1Gi\n", 9,
           f"environments.{env}", "reserved for the platform")
      for tenant, env in [("istio", "system"), ("gatekeeper", "system"), ("flux", "system"), ("rook", "ceph"),
                          ("cattle", "system"), ("cert", "manager"), ("ingress", "nginx"), ("kube", "public"),
                          ("tigera", "operator"), ("anything", "system")]),
    Case("monitoring", "guardrail", HEADER + ENV, 1, "name", "reserved for the platform"),
    Case("argocd", "guardrail", HEADER + ENV, 1, "name", "reserved for the platform"),
]
