"""The Maia REST API: client, models and error mapping."""

from maia_tui.core.maia.client import MaiaClient, RunningPipelines
from maia_tui.core.maia.models import (
    PipelineExecution,
    Platform,
    Runner,
    RunnerCommand,
    RunnerCredentials,
    RunnerStatus,
    VersionDetails,
)
from maia_tui.core.maia.retry import RetryPolicy

__all__ = [
    "MaiaClient",
    "PipelineExecution",
    "Platform",
    "RetryPolicy",
    "Runner",
    "RunnerCommand",
    "RunnerCredentials",
    "RunnerStatus",
    "RunningPipelines",
    "VersionDetails",
]
