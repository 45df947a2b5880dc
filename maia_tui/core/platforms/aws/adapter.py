"""AWS: a runner is an ECS service whose task definition reads OAUTH_CLIENT_SECRET from Secrets Manager.

boto3 is imported lazily and every call here is blocking: the engine runs these methods in worker threads.
Credentials come from the standard chain (AWS_PROFILE, env vars, SSO, instance role); AWS_REGION and
AWS_ENDPOINT_URL are honoured.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Mapping
from typing import Any

from maia_tui.core.errors import PlatformNotFound, PlatformRefused
from maia_tui.core.maia.models import Runner, RunnerCredentials
from maia_tui.core.platforms.aws.checks import secret_checks, service_check
from maia_tui.core.platforms.aws.errors import aws_errors
from maia_tui.core.platforms.aws.rollout import follow_rollout, primary_deployment
from maia_tui.core.platforms.aws.values import SecretRef, ServiceDetails, compose_secret, read_key
from maia_tui.core.platforms.base import Check, CheckLevel, PlatformAdapter, PlatformTarget, Progress
from maia_tui.core.secret import Secret
from maia_tui.core.settings import Settings


class AwsAdapter(PlatformAdapter):
    """ECS Fargate + Secrets Manager, as Matillion's Terraform and CloudFormation templates deploy runners."""

    name = "aws"
    label = "AWS ECS + Secrets Manager"

    def __init__(self, settings: Settings, env: Mapping[str, str] | None = None) -> None:
        super().__init__(settings)
        self.env = os.environ if env is None else env
        self.poll_interval = 0.2 if settings.sandbox else 3.0
        self._session: Any = None
        self._setup = threading.Lock()  # boto3 sessions are not thread-safe; the clients they make are
        self._clients: dict[tuple[str, str], Any] = {}
        self._details: dict[str, ServiceDetails] = {}

    # ── clients and errors ─────────────────────────────────────────────────

    def _region(self, preferred: str = "") -> str:
        return preferred or self.env.get("AWS_REGION") or self.env.get("AWS_DEFAULT_REGION") or ""

    def _client(self, service: str, region: str = "") -> Any:
        region = self._region(region)
        with self._setup:
            if (service, region) in self._clients:
                return self._clients[(service, region)]
            from botocore.config import Config

            with aws_errors("Setting up the AWS client", "", ""):
                session = self._boto_session()
                config = Config(
                    retries={"mode": "standard", "max_attempts": 4},
                    connect_timeout=5,
                    read_timeout=30,
                    user_agent_extra="maia-tui",
                )
                self._clients[(service, region)] = session.client(service, region_name=region or None, config=config)
        return self._clients[(service, region)]

    # ── availability and locating ──────────────────────────────────────────

    def _boto_session(self) -> Any:
        """One boto3 session per adapter (building one loads botocore's data files: ~0.1 s)."""
        if self._session is None:
            import boto3

            self._session = boto3.session.Session(profile_name=self.env.get("AWS_PROFILE") or None)
        return self._session

    def available(self) -> tuple[bool, str]:
        from botocore import exceptions as bx

        try:
            with self._setup:
                credentials = self._boto_session().get_credentials()
        except (bx.ProfileNotFound, bx.BotoCoreError) as error:
            return False, f"AWS credentials unusable ({error})"
        if credentials is None:
            return False, "no AWS credentials on this host"
        return True, f"AWS credentials from {credentials.method}"

    def locate(self, runner: Runner, binding: Mapping[str, Any] | None) -> PlatformTarget:
        if binding and binding.get("cluster") and binding.get("service"):
            details = self._read_service(
                self._region(str(binding.get("region") or "")), binding["cluster"], binding["service"]
            )
            if details.agent_id and details.agent_id != runner.id:
                raise PlatformNotFound(
                    f"the bound service {details.service} runs runner {details.agent_id}, not {runner.name}",
                    platform="aws",
                    remedy=f"Fix or remove the binding of {runner.id} in the config file; maia-tui then discovers it.",
                )
        else:
            details = self._discover(runner)
        self._details[runner.id] = details
        return self._target(runner, details)

    def _target(self, runner: Runner, details: ServiceDetails) -> PlatformTarget:
        key = f" key {details.secret.key}" if details.secret.key else " (plain string)"
        summary = (
            f"ECS service {details.service} in {details.cluster} ({details.region}); secret {details.secret.name}{key}"
        )
        fields = {
            "region": details.region,
            "cluster": details.cluster,
            "service": details.service,
            "secret": details.secret.arn,
            "secret_key": details.secret.key,
        }
        return PlatformTarget("aws", runner.id, runner.name, summary, fields)

    def _read_service(self, region: str, cluster: str, service: str) -> ServiceDetails:
        ecs = self._client("ecs", region)
        with aws_errors("DescribeServices", f"{cluster}/{service}", "ecs:DescribeServices"):
            found = ecs.describe_services(cluster=cluster, services=[service])["services"]
        if not found:
            raise PlatformNotFound(f"ECS service {service} not found in cluster {cluster} ({region})", platform="aws")
        return self._details_from(region, cluster, found[0])

    def _details_from(self, region: str, cluster: str, service: Mapping[str, Any]) -> ServiceDetails:
        ecs = self._client("ecs", region)
        arn = service["taskDefinition"]
        with aws_errors("DescribeTaskDefinition", arn, "ecs:DescribeTaskDefinition"):
            definition = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        for container in definition.get("containerDefinitions", []):
            env = {e["name"]: e.get("value", "") for e in container.get("environment", [])}
            refs = {s["name"]: s["valueFrom"] for s in container.get("secrets", [])}
            if "OAUTH_CLIENT_SECRET" not in refs:
                continue
            if ":secretsmanager:" not in refs["OAUTH_CLIENT_SECRET"]:
                raise PlatformRefused(
                    "OAUTH_CLIENT_SECRET comes from SSM Parameter Store, which maia-tui does not write",
                    platform="aws",
                    remedy="Update the parameter by hand, then force a new deployment of the service.",
                )
            client_ref = refs.get("OAUTH_CLIENT_ID", "")
            return ServiceDetails(
                region=region,
                cluster=cluster.split("/")[-1],
                service=str(service["serviceName"]),
                task_definition=arn,
                secret=SecretRef.parse(refs["OAUTH_CLIENT_SECRET"]),
                client_id_ref=SecretRef.parse(client_ref) if ":secretsmanager:" in client_ref else None,
                client_id_env=env.get("OAUTH_CLIENT_ID", ""),
                agent_id=env.get("AGENT_ID", ""),
            )
        raise PlatformNotFound(
            f"task definition {arn.split('/')[-1]} has no OAUTH_CLIENT_SECRET secret", platform="aws"
        )

    def _discover(self, runner: Runner) -> ServiceDetails:
        """Find the ECS service whose task definition sets AGENT_ID to the runner's id, in this region."""
        region = self._region()
        ecs = self._client("ecs", region)
        matches: list[ServiceDetails] = []
        with aws_errors("Listing ECS services", region, "ecs:ListClusters, ecs:ListServices, ecs:DescribeServices"):
            for page in ecs.get_paginator("list_clusters").paginate():
                for cluster in page["clusterArns"]:
                    for services in ecs.get_paginator("list_services").paginate(cluster=cluster):
                        arns = services["serviceArns"]
                        for start in range(0, len(arns), 10):
                            chunk = ecs.describe_services(cluster=cluster, services=arns[start : start + 10])
                            for service in chunk["services"]:
                                if service.get("status") != "ACTIVE":
                                    continue
                                try:
                                    details = self._details_from(region, cluster, service)
                                except (PlatformNotFound, PlatformRefused):
                                    continue
                                if details.agent_id == runner.id:
                                    matches.append(details)
        if not matches:
            raise PlatformNotFound(
                f"no ECS service in {region or 'the default region'} runs {runner.name} (AGENT_ID={runner.id})",
                platform="aws",
                remedy=f"Set AWS_REGION to the runner's region, or bind it in the config file under runners: "
                f"{runner.id}: {{platform: aws, region: ..., cluster: ..., service: ...}}",
            )
        if len(matches) > 1:
            names = ", ".join(f"{m.cluster}/{m.service}" for m in matches)
            raise PlatformNotFound(
                f"several ECS services run {runner.name}: {names}",
                platform="aws",
                remedy="Bind the right one in the config file (runners: <id>: cluster/service).",
            )
        return matches[0]

    def _known(self, target: PlatformTarget) -> ServiceDetails:
        details = self._details.get(target.runner_id)
        if details is None:
            fields = target.fields
            details = self._read_service(self._region(fields.get("region", "")), fields["cluster"], fields["service"])
            self._details[target.runner_id] = details
        return details

    # ── preflight ──────────────────────────────────────────────────────────

    def preflight(self, target: PlatformTarget, progress: Progress) -> list[Check]:
        details = self._known(target)
        checks = [service_check(self._client("ecs", details.region), details)]
        checks.extend(secret_checks(self._client("secretsmanager", details.secret.region or details.region), details))
        checks.append(
            Check(
                "Write access",
                True,
                "PutSecretValue and UpdateService are checked when used (AWS has no dry run); a retry is safe",
                level=CheckLevel.INFO,
            )
        )
        return checks

    # ── apply, restart ────────────────────────────────────────────────────

    def apply_secret(
        self, target: PlatformTarget, credentials: RunnerCredentials, *, token: str, progress: Progress
    ) -> None:
        details = self._known(target)
        ref = details.secret
        extra: dict[str, str] = {}
        if details.client_id_ref and details.client_id_ref.arn == ref.arn and details.client_id_ref.key:
            extra[details.client_id_ref.key] = credentials.client_id
        self._put(ref, credentials.client_secret, token, progress, extra)
        other = details.client_id_ref
        if other and other.arn != ref.arn:
            token2 = str(uuid.uuid5(uuid.UUID(token), "client_id"))
            self._put(other, Secret(credentials.client_id), token2, progress, {})
        elif other is None and details.client_id_env and details.client_id_env != credentials.client_id:
            progress.log(
                f"Maia's client id is {credentials.client_id}, but the task definition sets OAUTH_CLIENT_ID="
                f"{details.client_id_env}: update it in a new task definition revision"
            )

    def _put(self, ref: SecretRef, value: Secret, token: str, progress: Progress, extra: dict[str, str]) -> None:
        sm = self._client("secretsmanager", ref.region)
        with aws_errors("GetSecretValue", ref.name, "secretsmanager:GetSecretValue"):
            current = sm.get_secret_value(SecretId=ref.arn).get("SecretString") or ""
        where = f"key {ref.key} of {ref.name}" if ref.key else ref.name
        same_extra = all(read_key(current, k) == v for k, v in extra.items())
        stored = read_key(current, ref.key)
        if stored is not None and Secret(stored) == value and same_extra:
            progress.log(f"{where} already holds secret {value.fingerprint()}: nothing to write")
            return
        text = compose_secret(current, ref.key, value.reveal(), extra)
        with aws_errors("PutSecretValue", ref.name, "secretsmanager:PutSecretValue"):
            answer = sm.put_secret_value(SecretId=ref.arn, SecretString=text, ClientRequestToken=token)
        kept = " (other keys kept)" if ref.key else ""
        progress.log(
            f"PutSecretValue: {where} now holds {value.fingerprint()}; "
            f"version {answer['VersionId']} is AWSCURRENT{kept}"
        )

    def restart(self, target: PlatformTarget, progress: Progress) -> None:
        details = self._known(target)
        ecs = self._client("ecs", details.region)
        with aws_errors("UpdateService", f"{details.cluster}/{details.service}", "ecs:UpdateService"):
            service = ecs.update_service(cluster=details.cluster, service=details.service, forceNewDeployment=True)[
                "service"
            ]
        primary = primary_deployment(service)
        progress.log(
            f"UpdateService --force-new-deployment: deployment {primary.get('id', '?')} starts "
            f"{service.get('desiredCount', '?')} new task(s) that read the secret at start"
        )

    # ── wait, fingerprint ──────────────────────────────────────────────────

    def wait_healthy(self, target: PlatformTarget, progress: Progress, timeout: float) -> None:
        details = self._known(target)
        follow_rollout(self._client("ecs", details.region), details, progress, timeout, self.poll_interval)

    def stored_fingerprint(self, target: PlatformTarget) -> str | None:
        ref = self._known(target).secret
        sm = self._client("secretsmanager", ref.region)
        with aws_errors("GetSecretValue", ref.name, "secretsmanager:GetSecretValue"):
            text = sm.get_secret_value(SecretId=ref.arn).get("SecretString") or ""
        value = read_key(text, ref.key)
        return Secret(value).fingerprint() if value is not None else None

    # ── by hand ───────────────────────────────────────────────────────────

    def manual_steps(self, target: PlatformTarget, step: str) -> list[str]:
        fields = target.fields
        region = fields.get("region") or self._region() or "the runner's region"
        cluster, service = fields.get("cluster", "<cluster>"), fields.get("service", "<service>")
        secret = SecretRef.parse(fields["secret"]).name if fields.get("secret") else "<the runner's secret>"
        key = fields.get("secret_key")  # None: the binding does not say (written before a rotation located it)
        if step == "apply":
            if key is None:
                edit = (
                    "If the secret is JSON (Key/value tab): set `client_secret` to the new secret, keep the other "
                    "keys; if it is plain text: replace the whole value."
                )
            elif key:
                edit = f"Key/value tab: set the value of `{key}` to the new secret; leave every other key as it is."
            else:
                edit = "Plaintext tab: replace the whole value with the new secret."
            return [
                f"AWS Console → Secrets Manager (region {region}) → secret `{secret}`.",
                "Retrieve secret value → Edit.",
                edit,
                "Save. Don't change the secret name.",
            ]
        if step == "restart":
            return [
                f"AWS Console → Elastic Container Service (region {region}) → Clusters → `{cluster}` → "
                f"Services → `{service}`.",
                "Update service → tick Force new deployment (keep the task definition) → Update.",
                f"Or: aws ecs update-service --region {region} --cluster {cluster} --service {service} "
                "--force-new-deployment",
            ]
        if step == "wait":
            return [
                f"ECS → `{service}` → Deployments: wait until the new deployment is Completed and all tasks run.",
                "If tasks stop, the Tasks tab (filter: Stopped) shows each stopped reason.",
            ]
        return []
