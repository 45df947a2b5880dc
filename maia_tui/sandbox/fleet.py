"""The seeded fleet: one runner per platform shape an operator meets, plus the awkward states."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from maia_tui.sandbox.maia_state import PAUSE_LENGTH, EmulatedRunner


@dataclass(frozen=True)
class RunnerSeed:
    """How one sandbox runner is born: its Maia fields and where (if anywhere) it is deployed."""

    name: str
    cloud_provider: str
    deployment: str
    host: str = ""  # "<platform>:<variant>" of the platform sandbox that deploys it; "" = Maia only
    status: str = "running"
    connected: bool = True
    description: str = ""
    update_available: bool = False
    paused: bool = False


SEED_FLEET: tuple[RunnerSeed, ...] = (
    RunnerSeed("etl-prod-eu", "aws", "fargate", "aws:json", description="Production ETL, eu-west-1"),
    RunnerSeed("etl-legacy-plain", "aws", "fargate", "aws:plain", description="Secret stored as a plain string"),
    RunnerSeed(
        "etl-batch-paused",
        "aws",
        "fargate",
        "aws:json-extra",
        description="Nightly batch; secret JSON has extra keys",
        paused=True,
    ),
    RunnerSeed("aca-analytics", "azure", "container app", "azure:default", description="Analytics on Azure"),
    RunnerSeed(
        "aca-finance",
        "azure",
        "container app",
        "azure:custom",
        description="Finance on Azure; custom secret name",
        update_available=True,
    ),
    RunnerSeed("gke-ml", "gcp", "gke", "gke:default", description="ML feature pipelines on GKE"),
    RunnerSeed("snow-native", "snowflake", "native app", "snowflake:default", description="Snowflake native app"),
    RunnerSeed("matillion-hosted", "matillion", "hosted", description="Full SaaS runner managed by Matillion"),
    RunnerSeed(
        "etl-staging-stopped",
        "aws",
        "fargate",
        status="stopped",
        connected=False,
        description="Scaled to zero on ECS",
    ),
    RunnerSeed(
        "etl-new-pending",
        "aws",
        "fargate",
        status="pending",
        connected=False,
        description="Created, never deployed",
    ),
)

_SYNTHETIC_SHAPES = (
    ("aws", "fargate"),
    ("azure", "container app"),
    ("gcp", "gke"),
    ("snowflake", "native app"),
    ("aws", "eks"),
)
_SYNTHETIC_STATUSES = ("running",) * 14 + ("unknown", "paused", "stopped", "pending", "pausing", "stopping")


def runner_id(name: str) -> str:
    """A stable id per runner name, so tests, snapshots and bindings survive restarts of the sandbox."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"maia-sandbox/runner/{name}"))


def make_runner(seed: RunnerSeed) -> EmulatedRunner:
    runner = EmulatedRunner(
        id=runner_id(seed.name),
        name=seed.name,
        cloud_provider=seed.cloud_provider,
        deployment=seed.deployment,
        status="paused" if seed.paused else seed.status,
        connected=seed.connected,
        description=seed.description,
        update_available=seed.update_available,
        enable_auto_updates=seed.cloud_provider != "snowflake",
    )
    runner.client_id = f"agent-{runner.id.replace('-', '')[:20]}"
    if seed.paused:
        runner.paused_until = datetime.now(UTC) + PAUSE_LENGTH
    return runner


def synthetic_runners(count: int) -> list[EmulatedRunner]:
    """`count` Maia-only runners with a deterministic spread of platforms and statuses (scale tests)."""
    rng = random.Random(4242)
    runners = []
    for index in range(1, count + 1):
        provider, deployment = _SYNTHETIC_SHAPES[index % len(_SYNTHETIC_SHAPES)]
        status = rng.choice(_SYNTHETIC_STATUSES)
        name = f"runner-{index:05d}"
        runners.append(
            EmulatedRunner(
                id=runner_id(name),
                name=name,
                cloud_provider=provider,
                deployment=deployment,
                status=status,
                connected=status in ("running", "paused", "pausing"),
                description="synthetic",
                update_available=rng.random() < 0.1,
            )
        )
    return runners
