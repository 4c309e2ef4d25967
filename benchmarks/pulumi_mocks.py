"""Run the real Pulumi program (components.program.build) under Pulumi's mocks over a fleet; print the count.

    python benchmarks/pulumi_mocks.py ROOT     # ROOT holds tenants/ and platform/ (e.g. from benchmarks/fleet.py)

No Pulumi CLI or cluster is involved: `pulumi.runtime.set_mocks` answers every RegisterResource in-process, so
this measures what our program costs per tenant (desired state, components, resource options), not the engine.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks

from components.program import build
from tenantctl.checks.workspace import open_workspace


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, _args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list | None]:
        return {}, None


class CountingMonitor(mocks.MockMonitor):
    def __init__(self, mock: pulumi.runtime.Mocks) -> None:
        super().__init__(mock)
        self.count = 0

    def RegisterResource(self, request: Any) -> Any:
        self.count += 1
        return super().RegisterResource(request)


def main() -> None:
    ws = open_workspace(Path(sys.argv[1]))
    fleet = ws.load()
    assert fleet.valid, fleet.problems[:3]
    cluster = ws.settings.clusters[0]
    monitor = CountingMonitor(Mocks())
    mocks.set_mocks(Mocks(), project="tenant-platform", stack=cluster.stack, preview=False, monitor=monitor)

    @pulumi.runtime.test
    def program() -> None:
        import pulumi_kubernetes as k8s
        provider = k8s.Provider(cluster.stack, kubeconfig="kubeconfig-for-benchmarks", context=cluster.context,
                                cluster_identifier=cluster.name)
        build(ws.settings, [loaded.tenant for loaded in fleet.tenants], cluster, provider)

    program()
    print(f"{len(fleet.tenants)} tenants, {monitor.count} resources registered")


if __name__ == "__main__":
    main()
