"""Following an ECS deployment: service events into the log, done at COMPLETED, stopped-task reasons on failure."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from maia_tui.core.errors import PlatformError
from maia_tui.core.platforms.aws.errors import aws_errors
from maia_tui.core.platforms.aws.values import ServiceDetails
from maia_tui.core.platforms.base import Progress


def follow_rollout(ecs: Any, details: ServiceDetails, progress: Progress, timeout: float, poll: float) -> None:
    """Stream the service's events until its PRIMARY deployment completes; raise with stopped-task reasons."""
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    since = None
    while not progress.cancelled():
        with aws_errors("DescribeServices", f"{details.cluster}/{details.service}", "ecs:DescribeServices"):
            service = ecs.describe_services(cluster=details.cluster, services=[details.service])["services"][0]
        primary = primary_deployment(service)
        since = since or primary.get("createdAt")
        for event in reversed(service.get("events", [])):
            if event["id"] not in seen and (since is None or event["createdAt"] >= since):
                seen.add(event["id"])
                progress.log(f"ECS: {event['message']}")
        running, desired = int(primary.get("runningCount") or 0), int(primary.get("desiredCount") or 0)
        progress.fraction(running / desired if desired else None)
        state = primary.get("rolloutState")
        if state == "FAILED":
            reasons = stopped_reasons(ecs, details, str(primary.get("id", "")))
            if not reasons:  # ListTasks can lag the rollout state: look once more
                time.sleep(poll)
                reasons = stopped_reasons(ecs, details, str(primary.get("id", "")))
            raise _rollout_failed(primary, reasons)
        steady = len(service.get("deployments", [])) == 1 and running >= desired > 0
        if (state == "COMPLETED" or (state is None and steady)) and running >= desired:
            progress.log(f"ECS: deployment {primary.get('id')} completed, {running}/{desired} tasks running")
            return
        if time.monotonic() >= deadline:
            reasons = stopped_reasons(ecs, details, str(primary.get("id", "")))
            raise PlatformError(
                f"deployment {primary.get('id')} is still {state or 'in progress'} ({running}/{desired} running)"
                + (f"; stopped task: {reasons[0]}" if reasons else ""),
                platform="aws",
            )
        time.sleep(poll)


def stopped_reasons(ecs: Any, details: ServiceDetails, deployment: str) -> list[str]:
    """Why the deployment's tasks stopped (ECS keeps stopped tasks for about an hour)."""
    try:
        with aws_errors("ListTasks", details.cluster, "ecs:ListTasks"):
            arns = ecs.list_tasks(cluster=details.cluster, startedBy=deployment, desiredStatus="STOPPED")["taskArns"]
            tasks = ecs.describe_tasks(cluster=details.cluster, tasks=arns[:10])["tasks"] if arns else []
    except PlatformError:
        return []
    return list(dict.fromkeys(str(t.get("stoppedReason")) for t in tasks if t.get("stoppedReason")))


def primary_deployment(service: Mapping[str, Any]) -> Mapping[str, Any]:
    deployments = service.get("deployments") or []
    return next((d for d in deployments if d.get("status") == "PRIMARY"), deployments[0] if deployments else {})


def _rollout_failed(primary: Mapping[str, Any], reasons: list[str]) -> PlatformError:
    reason = reasons[0] if reasons else ""
    message = f"deployment {primary.get('id')} failed: {primary.get('rolloutStateReason') or 'tasks failed to start'}"
    if reason:
        message += f"; stopped task: {reason}"
    if "secret" in reason.lower() or "json key" in reason.lower():
        remedy = (
            "The new tasks cannot read OAUTH_CLIENT_SECRET: check the task definition's valueFrom (ARN and JSON "
            "key) against the secret, and that the task execution role may read it; then force a new deployment "
            "and retry."
        )
    else:
        remedy = "Fix the cause shown by the stopped task, force a new deployment of the service, then retry."
    return PlatformError(message, platform="aws", remedy=remedy)
