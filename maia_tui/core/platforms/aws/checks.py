"""AWS preflight checks: the ECS service and the Secrets Manager secret, before anything is revoked."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from maia_tui.core.platforms.aws.errors import aws_errors
from maia_tui.core.platforms.aws.values import SecretRef, ServiceDetails, read_key
from maia_tui.core.platforms.base import Check, CheckLevel


def service_check(ecs: Any, details: ServiceDetails) -> Check:
    """The ECS service exists, is ACTIVE, and would start at least one task."""
    with aws_errors("DescribeServices", f"{details.cluster}/{details.service}", "ecs:DescribeServices"):
        service = ecs.describe_services(cluster=details.cluster, services=[details.service])["services"][0]
    status, desired = service.get("status"), int(service.get("desiredCount") or 0)
    name = f"{details.service} in {details.cluster}"
    if status != "ACTIVE":
        return Check("ECS service", False, f"{name} is {status}", remedy="Re-create or re-activate the service.")
    if desired < 1:
        return Check(
            "ECS service",
            False,
            f"{name} has a desired count of 0: a restart would start no runner",
            remedy="Set the service's desired count to 1 or more, then retry.",
        )
    return Check("ECS service", True, f"{name} is ACTIVE, {service.get('runningCount', 0)}/{desired} tasks running")


def secret_checks(sm: Any, details: ServiceDetails) -> list[Check]:
    """The secret can be described and read, is safe to write, and has the shape the task definition reads."""
    ref = details.secret
    with aws_errors("DescribeSecret", ref.name, "secretsmanager:DescribeSecret"):
        described = sm.describe_secret(SecretId=ref.arn)
    refuse = refusal(ref, described)
    if refuse is not None:
        return [refuse]
    with aws_errors("GetSecretValue", ref.name, "secretsmanager:GetSecretValue"):
        text = sm.get_secret_value(SecretId=ref.arn).get("SecretString")
    if text is None:
        return [Check("Secret", False, f"{ref.name} holds binary data", remedy="Store the secret as a string.")]
    checks = [Check("Secret", True, f"{ref.name} can be read and described")]
    if ref.key and read_key(text, ref.key) is None:
        try:
            is_object = isinstance(json.loads(text), dict)
        except ValueError:
            is_object = False
        if not is_object:
            return [
                Check(
                    "Secret format",
                    False,
                    f"{ref.name} is not a JSON object, but the task definition reads its key {ref.key}",
                    remedy="Fix the secret or the task definition's valueFrom so they agree, then retry.",
                )
            ]
        checks.append(
            Check("Secret format", False, f"key {ref.key} is missing: it will be added", level=CheckLevel.WARNING)
        )
    else:
        shape = f"JSON, key {ref.key}" if ref.key else "plain string"
        checks.append(Check("Secret format", True, f"{shape}; everything else in it is kept"))
    if described.get("KmsKeyId"):
        checks.append(
            Check(
                "KMS key",
                True,
                "customer managed key: writing also needs kms:GenerateDataKey",
                level=CheckLevel.INFO,
            )
        )
    return checks


def refusal(ref: SecretRef, described: Mapping[str, Any]) -> Check | None:
    """A secret maia-tui must not write: managed rotation, a stuck AWSPENDING, a pinned version, deletion."""
    if described.get("RotationEnabled"):
        return Check(
            "Secret rotation",
            False,
            f"{ref.name} has automatic rotation enabled: a rotation Lambda manages its value",
            remedy="Turn rotation off for this secret (or rotate through that Lambda); maia-tui will not fight it.",
        )
    stages = described.get("VersionIdsToStages") or {}
    stuck = [v for v, labels in stages.items() if "AWSPENDING" in labels and "AWSCURRENT" not in labels]
    if stuck:
        return Check(
            "Secret versions",
            False,
            f"{ref.name} has a version stuck in AWSPENDING ({stuck[0]})",
            remedy="Finish or cancel that rotation (remove the AWSPENDING label), then retry.",
        )
    if described.get("DeletedDate"):
        return Check("Secret", False, f"{ref.name} is scheduled for deletion", remedy="Restore the secret first.")
    if ref.stage or ref.version:
        return Check(
            "Secret reference",
            False,
            f"the task definition pins {ref.stage or ref.version} of {ref.name}: a new value would not be read",
            remedy="Point valueFrom at the current version (no version stage or id), then retry.",
        )
    return None
