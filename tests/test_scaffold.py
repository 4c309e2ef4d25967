"""`tenantctl new`: one command writes a valid, commented tenant file from the platform's size presets."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantctl.checks.loading import load_tenant
from tenantctl.checks.workspace import open_workspace
from tenantctl.cli.app import app
from tenantctl.review.cost import money, tenant_cost
from tenantctl.selfservice.scaffold import flag_for

runner = CliRunner()
OWNER = ["--team", "Rijks ICT Gilde", "--contact", "amt@example.org", "--cost-center", "RIG-0002"]


def run(repo: Path, *args: str):
    return runner.invoke(app, [*args, "--root", str(repo)])


def written(repo: Path, name: str) -> str:
    return (repo / "tenants" / f"{name}.yaml").read_text()


@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_new_writes_a_valid_commented_file_for_every_preset(scratch_repo: Path, size: str) -> None:
    result = run(scratch_repo, "new", "amt2", *OWNER, "--size", size, "--admin", "github:rig-amt2-admins")
    assert result.exit_code == 0, result.output
    text = written(scratch_repo, "amt2")
    assert text.startswith("# yaml-language-server: $schema=../schema/tenant.schema.json\n")
    assert result.stdout.startswith(text)  # the command shows what it wrote
    assert run(scratch_repo, "validate").exit_code == 0
    ws = open_workspace(scratch_repo)
    loaded, problems = load_tenant(text.encode(), str(ws.tenant_path("amt2")), ws.settings)
    assert loaded is not None and problems == []
    preset = ws.settings.presets[size]
    for env in loaded.tenant.environments.values():
        assert (env.cpu, env.memory, env.storage[0].size) == (preset.cpu, preset.memory, preset.volume_size)
        assert env.backups is not None and env.backups.per_day == preset.backups_per_day
    cost = money(tenant_cost(loaded.tenant, ws.settings).yearly, ws.settings.pricing.currency)
    assert f"cost per year: {cost}\n" in result.stdout
    rendered = run(scratch_repo, "render", "--tenant", "amt2")
    assert rendered.exit_code == 0
    assert "name: amt2-test" in rendered.stdout and "name: amt2-prod" in rendered.stdout
    assert "github:rig-amt2-admins" in rendered.stdout


def test_medium_is_the_canonical_request(scratch_repo: Path) -> None:
    """The 41-e-mail request (test+prod, 4 cores, 4Gi, 100Gi, two backups a day) is `--size medium`."""
    assert run(scratch_repo, "new", "amt2", *OWNER, "--size", "medium").exit_code == 0
    ws = open_workspace(scratch_repo)
    fleet = ws.load()
    tenants = fleet.by_name()
    assert fleet.valid
    # the same request; amt also lets its own pipeline deploy (deploy: is not part of a size)
    assert {name: env.model_copy(update={"deploy": []}) for name, env in tenants["amt"].environments.items()} \
        == tenants["amt2"].environments
    assert tenant_cost(tenants["amt2"], ws.settings).yearly == tenant_cost(tenants["amt"], ws.settings).yearly


def test_every_field_has_a_short_comment(scratch_repo: Path) -> None:
    assert run(scratch_repo, "new", "amt2", *OWNER, "--view", "auditors", "--production", "prod").exit_code == 0
    for line in written(scratch_repo, "amt2").splitlines():
        key = line.strip().split(":")[0]
        if key in ("name", "description", "owner", "contact", "cost_center", "data_classification", "access",
                   "environments", "production", "cpu", "memory", "storage", "backups"):
            assert "  # " in line or " # " in line, line


def test_every_value_has_a_flag(scratch_repo: Path) -> None:
    result = run(scratch_repo, "new", "shop", *OWNER, "--description", "Web shop", "--classification", "BBN1",
                 "--admin", "github:shop-admins", "--edit", "github:shop-devs", "--view", "auditors",
                 "--env", "dev", "--env", "main", "--production", "main", "--cpu", "500m", "--memory", "1536Mi",
                 "--volume", "data=20Gi", "--volume", "uploads=5Gi", "--storage-class", "fast-ssd",
                 "--backups-per-day", "4", "--retention-days", "7", "--no-backups", "--cluster", "cluster-a")
    assert result.exit_code == 0, result.output
    ws = open_workspace(scratch_repo)
    tenant = ws.load().by_name()["shop"]
    assert (tenant.description, tenant.data_classification) == ("Web shop", "BBN1")
    assert tenant.access.bindings() == {"admin": ["github:shop-admins"], "edit": ["github:shop-devs"],
                                        "view": ["auditors"]}
    dev, main = tenant.environments["dev"], tenant.environments["main"]
    assert list(tenant.environments) == ["dev", "main"]
    assert str(dev.cpu) == "0.5" and dev.memory == 1536 * 2**20
    assert [(v.name, v.size, v.storage_class) for v in main.storage] == \
        [("data", 20 * 2**30, "fast-ssd"), ("uploads", 5 * 2**30, "fast-ssd")]
    assert dev.backups is None  # BBN1 and not production: --no-backups applies
    assert main.production is True and main.backups is not None and main.backups.per_day == 4
    assert main.backups.retention_days == 7 and main.cluster == "cluster-a"
    assert "backups kept for main: the platform requires backups for production" in result.stdout
    assert "cpu: 500m" in written(scratch_repo, "shop")


def test_no_backups_keeps_them_for_classified_data(scratch_repo: Path) -> None:
    result = run(scratch_repo, "new", "amt2", *OWNER, "--no-backups", "--classification", "BBN2")
    assert result.exit_code == 0, result.output
    assert "backups kept for test, prod" in result.stdout
    assert written(scratch_repo, "amt2").count("backups: {per_day") == 2


def test_new_without_required_values_never_prompts_off_a_terminal(scratch_repo: Path, monkeypatch) -> None:
    monkeypatch.setattr("typer.prompt", lambda *a, **k: pytest.fail("prompted without a terminal"))
    result = run(scratch_repo, "new", "someone", "--team", "T")
    assert result.exit_code == 2
    assert "missing --contact, --cost-center" in result.stderr
    assert "tenantctl new someone --team" in result.stderr  # an example to copy
    assert not (scratch_repo / "tenants/someone.yaml").exists()


def test_new_prompts_on_a_terminal(scratch_repo: Path, monkeypatch) -> None:
    asked: list[str] = []
    answers = {"Contact": "prompt@example.org", "Cost center": "PR-1", "Size": "large"}

    def prompt(text: str, **kwargs: object) -> str:
        asked.append(text)
        return answers[text]

    monkeypatch.setattr("tenantctl.cli.commands.scaffold.interactive", lambda: True)
    monkeypatch.setattr("typer.prompt", prompt)
    result = run(scratch_repo, "new", "prompted", "--team", "Team Prompt")
    assert result.exit_code == 0, result.output
    assert asked == ["Contact", "Cost center", "Size"]  # only what is missing, then the size
    text = written(scratch_repo, "prompted")
    assert "team: Team Prompt" in text and "contact: prompt@example.org" in text and "cpu: 8" in text


def test_a_terminal_with_every_flag_given_is_not_asked_anything(scratch_repo: Path, monkeypatch) -> None:
    monkeypatch.setattr("tenantctl.cli.commands.scaffold.interactive", lambda: True)
    monkeypatch.setattr("typer.prompt", lambda *a, **k: pytest.fail("prompted although every flag was given"))
    assert run(scratch_repo, "new", "amt2", *OWNER).exit_code == 0


def test_new_refuses_to_overwrite(scratch_repo: Path) -> None:
    before = (scratch_repo / "tenants/amt.yaml").read_bytes()
    result = run(scratch_repo, "new", "amt", *OWNER)
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert (scratch_repo / "tenants/amt.yaml").read_bytes() == before


@pytest.mark.parametrize(("args", "says"), [
    (("new", "Bad_Name", *OWNER), "is not a DNS label"),
    (("new", "../escape", *OWNER), "is not a DNS label"),
    (("new", "amt2", *OWNER, "--size", "huge"), "use one of small, medium, large"),
    (("new", "amt2", *OWNER, "--volume", "data"), "write NAME=SIZE"),
    (("new", "amt2", *OWNER, "--production", "live"), "--production live: not among the environments"),
])
def test_usage_errors_exit_2_and_write_nothing(scratch_repo: Path, args: tuple[str, ...], says: str) -> None:
    before = sorted(p.name for p in (scratch_repo / "tenants").iterdir())
    result = run(scratch_repo, *args)
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert sorted(p.name for p in (scratch_repo / "tenants").iterdir()) == before
    assert not (scratch_repo / "escape.yaml").exists()


@pytest.mark.parametrize(("args", "says"), [
    (("--contact", "not-an-email"), "--contact: 'not-an-email' is not an e-mail address"),
    (("--cpu", "1000"), "--cpu: cpu 1000 is above the platform limit"),
    (("--memory", "4GB"), "--memory: "),
    (("--backups-per-day", "5"), "--backups-per-day: 5 "),
    (("--storage-class", "gold"), "--storage-class: "),
    (("--admin", "has space"), "--admin: "),
    (("--env", "Test"), "--env: "),
    (("--cluster", "nowhere"), "--cluster: cluster 'nowhere' does not exist"),
    (("--classification", "SECRET"), "--classification: "),
])
def test_invalid_values_name_the_flag_and_write_nothing(scratch_repo: Path, args: tuple[str, ...],
                                                        says: str) -> None:
    values = dict(zip(OWNER[::2], OWNER[1::2], strict=True))
    values.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run(scratch_repo, "new", "amt2", *[item for pair in values.items() for item in pair])
    assert result.exit_code == 1, result.output
    assert says in result.stdout
    assert len(result.stdout.splitlines()) == 1  # the same problem in test and prod is said once
    assert "was not created" in result.stderr
    assert not (scratch_repo / "tenants/amt2.yaml").exists()


def test_a_namespace_taken_by_another_tenant_is_refused(scratch_repo: Path) -> None:
    assert run(scratch_repo, "new", "amt-test", *OWNER, "--env", "web").exit_code == 0
    result = run(scratch_repo, "add-env", "amt", "test-web")
    assert result.exit_code == 1
    assert "namespace 'amt-test-web' is already created by" in result.stdout


def test_approval_notices_are_shown_but_do_not_block(scratch_repo: Path) -> None:
    result = run(scratch_repo, "new", "big", *OWNER, "--cpu", "32")
    assert result.exit_code == 0, result.output
    assert "needs platform approval: " in result.stdout


def test_flag_for() -> None:
    assert flag_for("owner.contact") == "--contact"
    assert flag_for("access.view[0]") == "--view"
    assert flag_for("environments.prod.storage[1].size") == "--volume"
    assert flag_for("environments.prod.storage[0].storage_class") == "--storage-class"
    assert flag_for("environments.prod.backups.per_day") == "--backups-per-day"
    assert flag_for("environments.Prod") == "--env"
    assert flag_for("name") == "NAME"
    assert flag_for("something.else") == "something.else"
