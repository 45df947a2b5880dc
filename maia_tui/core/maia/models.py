"""Runner models parsed from the Maia API's agent objects; the API's word "agent" stops here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from maia_tui.core.secret import Secret


class RunnerStatus(StrEnum):
    """The statuses Maia shows for a runner, plus OTHER for values the API may add later."""

    PENDING = "pending"
    RUNNING = "running"
    UNKNOWN = "unknown"
    STOPPING = "stopping"
    STOPPED = "stopped"
    PAUSING = "pausing"
    PAUSED = "paused"
    OTHER = "other"

    @classmethod
    def parse(cls, raw: object) -> RunnerStatus:
        """Map an `agentStatus` value (any case) to a status; anything unexpected is OTHER."""
        text = str(raw or "").strip().lower()
        try:
            return cls(text)
        except ValueError:
            return cls.OTHER

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Platform(StrEnum):
    """Where a runner runs, derived from the API's cloudProvider + deployment."""

    AWS_FARGATE = "aws-fargate"
    AWS_EKS = "aws-eks"
    AZURE_CONTAINER_APP = "azure-container-app"
    AZURE_AKS = "azure-aks"
    AZURE_ACI = "azure-aci"
    GCP_GKE = "gcp-gke"
    GCP_GCE = "gcp-gce"
    SNOWFLAKE = "snowflake"
    MATILLION_HOSTED = "matillion-hosted"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _PLATFORM_LABELS[self]

    @property
    def family(self) -> str:
        """The platform module that handles it: aws, azure, gke, snowflake, or '' when none does."""
        return _PLATFORM_FAMILY.get(self, "")

    @classmethod
    def derive(cls, cloud_provider: str, deployment: str) -> Platform:
        """Derive the platform; 'google_cloud' is the API's alias of gcp and deployments carry spaces."""
        provider = (cloud_provider or "").strip().lower()
        deploy = (deployment or "").strip().lower().replace("_", " ")
        if provider in {"matillion", "matillion_hosted", "matillion hosted", "hosted", "saas"} or deploy in {
            "hosted",
            "matillion hosted",
            "full saas",
            "saas",
        }:
            return cls.MATILLION_HOSTED
        table = {
            ("aws", "fargate"): cls.AWS_FARGATE,
            ("aws", "eks"): cls.AWS_EKS,
            ("azure", "container app"): cls.AZURE_CONTAINER_APP,
            ("azure", "containerapp"): cls.AZURE_CONTAINER_APP,
            ("azure", "aks"): cls.AZURE_AKS,
            ("azure", "aci"): cls.AZURE_ACI,
            ("gcp", "gke"): cls.GCP_GKE,
            ("google cloud", "gke"): cls.GCP_GKE,
            ("gcp", "gce"): cls.GCP_GCE,
            ("google cloud", "gce"): cls.GCP_GCE,
            ("snowflake", "native app"): cls.SNOWFLAKE,
        }
        provider = provider.replace("_", " ")
        if (provider, deploy) in table:
            return table[(provider, deploy)]
        if provider == "snowflake":
            return cls.SNOWFLAKE
        return cls.OTHER


_PLATFORM_LABELS = {
    Platform.AWS_FARGATE: "AWS Fargate",
    Platform.AWS_EKS: "AWS EKS",
    Platform.AZURE_CONTAINER_APP: "Azure Container App",
    Platform.AZURE_AKS: "Azure AKS",
    Platform.AZURE_ACI: "Azure ACI",
    Platform.GCP_GKE: "GKE",
    Platform.GCP_GCE: "Google GCE",
    Platform.SNOWFLAKE: "Snowflake",
    Platform.MATILLION_HOSTED: "Matillion hosted",
    Platform.OTHER: "Other",
}

_PLATFORM_FAMILY = {
    Platform.AWS_FARGATE: "aws",
    Platform.AZURE_CONTAINER_APP: "azure",
    Platform.GCP_GKE: "gke",
    Platform.SNOWFLAKE: "snowflake",
}


@dataclass(frozen=True, slots=True)
class VersionDetails:
    """The runner's software version and release track."""

    agent_version: str = ""
    update_available: bool = False
    support: str = ""
    track_name: str = ""
    track_version: str = ""
    track_release_date: str = ""

    @classmethod
    def from_api(cls, data: dict[str, Any] | None) -> VersionDetails | None:
        if not isinstance(data, dict):
            return None
        return cls(
            agent_version=str(data.get("agentVersion") or ""),
            update_available=bool(data.get("agentUpdateAvailable")),
            support=str(data.get("support") or ""),
            track_name=str(data.get("trackName") or ""),
            track_version=str(data.get("trackVersion") or ""),
            track_release_date=str(data.get("trackReleaseDate") or ""),
        )


def _parse_time(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Runner:
    """One Maia runner as the API reports it."""

    id: str
    name: str
    status: RunnerStatus
    connected: bool
    cloud_provider: str = ""
    deployment: str = ""
    agent_type: str = ""
    description: str = ""
    enable_auto_updates: bool | None = None
    restricted_access: bool | None = None
    version: VersionDetails | None = None
    paused_until: datetime | None = None
    raw_status: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Runner:
        """Build a Runner from an agent object (GET /v1/agents/{id} or an item of the list)."""
        raw_status = str(data.get("agentStatus") or data.get("status") or "")
        return cls(
            id=str(data.get("agentId") or data.get("id") or ""),
            name=str(data.get("name") or ""),
            status=RunnerStatus.parse(raw_status),
            connected=bool(data.get("connected")),
            cloud_provider=str(data.get("cloudProvider") or ""),
            deployment=str(data.get("deployment") or ""),
            agent_type=str(data.get("agentType") or ""),
            description=str(data.get("description") or ""),
            enable_auto_updates=data.get("enableAutoUpdates"),
            restricted_access=data.get("restrictedAccess"),
            version=VersionDetails.from_api(data.get("versionDetails")),
            paused_until=_parse_time(data.get("pausedUntil")),
            raw_status=raw_status,
            raw=dict(data),
        )

    @property
    def platform(self) -> Platform:
        return Platform.derive(self.cloud_provider, self.deployment)

    @property
    def healthy(self) -> bool:
        """Running and connected: the only state in which the runner can run pipelines."""
        return self.status is RunnerStatus.RUNNING and self.connected

    @property
    def status_label(self) -> str:
        if self.status is RunnerStatus.OTHER:
            return self.raw_status or "Unknown"
        return self.status.label


@dataclass(frozen=True, slots=True)
class RunnerCredentials:
    """A runner's OAuth client id and secret, the secret never leaving its `Secret` wrapper."""

    client_id: str
    client_secret: Secret

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> RunnerCredentials:
        return cls(
            client_id=str(data.get("clientId") or ""),
            client_secret=Secret(str(data.get("clientSecret") or "")),
        )


class RunnerCommand(StrEnum):
    """The commands POST /v1/agents/{id}/commands accepts."""

    RESTART = "RESTART"
    PAUSE = "PAUSE"
    RESUME = "RESUME"


@dataclass(frozen=True, slots=True)
class PipelineExecution:
    """A pipeline execution as listed by GET /v1/pipeline-executions."""

    id: str
    pipeline_name: str
    project_id: str
    environment_name: str
    status: str
    started_at: str = ""

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> PipelineExecution:
        return cls(
            id=str(data.get("pipelineExecutionId") or ""),
            pipeline_name=str(data.get("pipelineName") or ""),
            project_id=str(data.get("projectId") or ""),
            environment_name=str(data.get("environmentName") or ""),
            status=str(data.get("status") or ""),
            started_at=str(data.get("startedAt") or ""),
        )
