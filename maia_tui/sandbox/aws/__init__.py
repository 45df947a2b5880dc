"""AWS for the sandbox: moto in server mode, runners deployed the way Matillion's Terraform deploys them."""

from __future__ import annotations

import copy
import json
import urllib.request
from pathlib import Path
from typing import Any

from maia_tui.sandbox.aws.ecs_runner import EcsRunnerHost, SecretRef, service_event
from maia_tui.sandbox.aws.moto_server import MotoServer
from maia_tui.sandbox.maia_state import EmulatedRunner

REGION = "eu-west-1"
ACCOUNT = "123456789012"
IMAGE = "public.ecr.aws/matillion/etl-agent:current"

__all__ = ["ACCOUNT", "REGION", "AwsSandbox", "EcsRunnerHost", "SecretRef"]


class AwsSandbox:
    """moto's server on loopback, seeded with ECS services and Secrets Manager secrets for runners."""

    name = "aws"

    def __init__(self) -> None:
        self._server: Any = None
        self.url = ""
        self._clients: dict[str, Any] = {}
        self.hosts: dict[str, EcsRunnerHost] = {}
        self._network: dict[str, str] = {}
        self._denied: set[str] = set()
        self._denial_hooks: set[str] = set()

    # ── lifecycle ──────────────────────────────────────────────────────────

    def start(self, workdir: Path | None = None) -> AwsSandbox:
        self._server = MotoServer().start()
        self.url = self._server.url
        # moto's backends are per process: start from a clean account.
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/moto-api/reset", method="POST"), timeout=5).close()
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName="maia-runner", Description="Maia runner", VpcId=vpc)["GroupId"]
        self._network = {"subnet": subnet, "group": group}
        self._wrap_update_service()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def env(self) -> dict[str, str]:
        """What boto3 in another process needs to reach this moto with throw-away credentials."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(self, service: str) -> Any:
        if service not in self._clients:
            import boto3

            self._clients[service] = boto3.client(  # type: ignore[call-overload]
                service,
                region_name=REGION,
                endpoint_url=self.url,
                aws_access_key_id="sandbox",
                aws_secret_access_key="sandbox",
            )
        return self._clients[service]

    def backend(self) -> Any:
        from moto.ecs.models import ecs_backends

        return ecs_backends[ACCOUNT][REGION]

    def secrets_backend(self) -> Any:
        from moto.secretsmanager.models import secretsmanager_backends

        return secretsmanager_backends[ACCOUNT][REGION]

    # ── realism moto lacks ─────────────────────────────────────────────────

    def _wrap_update_service(self) -> None:
        """Make a forced deployment look as ECS shows it at once: new PRIMARY IN_PROGRESS, old one ACTIVE."""
        backend = self.backend()
        original = backend.update_service
        previous: dict[str, dict[str, Any]] = {}

        def update_service(properties: dict[str, Any]) -> Any:
            force = bool(properties.get("force_new_deployment"))
            name = str(properties.get("service", "")).split("/")[-1]
            cluster = str(properties.get("cluster", "default")).split("/")[-1]
            key = f"{cluster}:{name}"
            if force and key in backend.services and backend.services[key].deployments:
                previous[key] = copy.deepcopy(backend.services[key].deployments[0])
            service = original(properties)
            if force and key in previous:
                self.mark_rollout_started(service, previous.pop(key))
            return service

        backend.update_service = update_service

    # IAM actions a test can deny, and the moto backend method that serves each one.
    DENIABLE: dict[str, tuple[str, str]] = {
        "secretsmanager:PutSecretValue": ("secrets_backend", "put_secret_value"),
        "secretsmanager:GetSecretValue": ("secrets_backend", "get_secret_value"),
        "secretsmanager:DescribeSecret": ("secrets_backend", "describe_secret"),
        "ecs:UpdateService": ("backend", "update_service"),
        "ecs:DescribeServices": ("backend", "describe_services"),
    }

    def deny(self, action: str) -> None:
        """Answer every `action` call with AccessDeniedException, as a missing IAM permission does (moto has no IAM).

        It applies to every caller of this moto, the simulated runners included.
        """
        if action not in self.DENIABLE:
            raise KeyError(f"cannot deny {action}; known: {', '.join(self.DENIABLE)}")
        self._denied.add(action)
        if action in self._denial_hooks:
            return
        from moto.core.exceptions import JsonRESTError

        getter, method = self.DENIABLE[action]
        backend = getattr(self, getter)()
        original = getattr(backend, method)

        def guarded(*args: Any, **kwargs: Any) -> Any:
            if action in self._denied:
                resource = kwargs.get("secret_id") or kwargs.get("service") or (args[0] if args else "*")
                if isinstance(resource, dict):
                    resource = resource.get("service", "*")
                raise JsonRESTError(
                    "AccessDeniedException",
                    f"User: arn:aws:sts::{ACCOUNT}:assumed-role/maia-operator/sandbox is not authorized to perform: "
                    f"{action} on resource: {resource} because no identity-based policy allows the {action} action",
                )
            return original(*args, **kwargs)

        setattr(backend, method, guarded)
        self._denial_hooks.add(action)

    def allow(self, action: str) -> None:
        """Undo `deny`: the permission was granted."""
        self._denied.discard(action)

    def mark_rollout_started(self, service: Any, old: dict[str, Any] | None = None) -> None:
        primary = service.deployments[0]
        desired = service.desired_count
        primary.update(
            rolloutState="IN_PROGRESS",
            rolloutStateReason=f"ECS deployment {primary['id']} in progress.",
            runningCount=0,
            pendingCount=desired,
            failedTasks=0,
        )
        deployments = [primary]
        if old is not None and old["id"] != primary["id"]:
            deployments.append(dict(old, status="ACTIVE"))
        service.deployments = deployments
        service_event(service, f"(service {service.name}) has started {desired} tasks: (deployment {primary['id']}).")

    def record_stopped_task(self, host: EcsRunnerHost, reason: str) -> None:
        """A task that failed to start, with its stoppedReason, as `ecs describe-tasks` would show."""
        ecs = self.client("ecs")
        service = host._service()
        started = ecs.run_task(
            cluster=host.cluster,
            taskDefinition=service.task_definition,
            launchType="FARGATE",
            startedBy=service.deployments[0]["id"],
            networkConfiguration=self._awsvpc(),
            count=1,
        )
        for task in started.get("tasks", []):
            ecs.stop_task(cluster=host.cluster, task=task["taskArn"], reason=reason[:255])

    def _awsvpc(self) -> dict[str, Any]:
        return {
            "awsvpcConfiguration": {
                "subnets": [self._network["subnet"]],
                "securityGroups": [self._network["group"]],
                "assignPublicIp": "DISABLED",
            }
        }

    # ── deploying runners ────────────────────────────────────────────────

    def deploy(self, runner: EmulatedRunner, variant: str = "json") -> EcsRunnerHost:
        """Deploy a runner as Matillion's Terraform does; `variant` is json, plain or json-extra."""
        ecs = self.client("ecs")
        sm = self.client("secretsmanager")
        name = runner.name
        cluster, service, family = f"{name}-cluster", f"{name}-service", f"{name}-task-definition"
        secret_name = f"{name}-oauth-credentials"
        if variant == "plain":
            value = runner.client_secret
        else:
            document: dict[str, str] = {"client_id": runner.client_id, "client_secret": runner.client_secret}
            if variant == "json-extra":
                document = {"managed_by": "terraform", **document, "proxy_password": "sandbox-proxy-pw"}
            value = json.dumps(document)
        secret_arn = sm.create_secret(Name=secret_name, SecretString=value, Description=f"Maia runner {name}")["ARN"]
        environment = [
            {"name": "ACCOUNT_ID", "value": "sandbox-account"},
            {"name": "AGENT_ID", "value": runner.id},
            {"name": "MATILLION_REGION", "value": "eu1"},
            {"name": "CLOUD_PROVIDER", "value": "AWS"},
            {"name": "EXPORT_LOGS", "value": "true"},
        ]
        if variant == "plain":
            secrets = [{"name": "OAUTH_CLIENT_SECRET", "valueFrom": secret_arn}]
            environment.append({"name": "OAUTH_CLIENT_ID", "value": runner.client_id})
        else:
            secrets = [
                {"name": "OAUTH_CLIENT_ID", "valueFrom": f"{secret_arn}:client_id::"},
                {"name": "OAUTH_CLIENT_SECRET", "valueFrom": f"{secret_arn}:client_secret::"},
            ]
        ecs.create_cluster(clusterName=cluster)
        task_definition = ecs.register_task_definition(
            family=family,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="2048",
            memory="4096",
            containerDefinitions=[
                {
                    "name": family,
                    "image": IMAGE,
                    "essential": True,
                    "cpu": 2048,
                    "memory": 4096,
                    "environment": environment,
                    "secrets": secrets,
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{name}-task",
                            "awslogs-region": REGION,
                            "awslogs-stream-prefix": "/ecs",
                        },
                    },
                }
            ],
        )["taskDefinition"]["taskDefinitionArn"]
        desired = 2
        ecs.create_service(
            cluster=cluster,
            serviceName=service,
            taskDefinition=task_definition,
            desiredCount=desired,
            launchType="FARGATE",
            networkConfiguration=self._awsvpc(),
            deploymentConfiguration={
                "minimumHealthyPercent": 50,
                "maximumPercent": 200,
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            },
        )
        host = EcsRunnerHost(self, cluster, service, desired)
        svc = host._service()
        svc.running_count, svc.pending_count = desired, 0
        svc.deployments[0].update(
            runningCount=desired,
            pendingCount=0,
            rolloutState="COMPLETED",
            rolloutStateReason=f"ECS deployment {svc.deployments[0]['id']} completed.",
        )
        self.hosts[runner.id] = host
        return host

    def binding(self, runner: EmulatedRunner) -> dict[str, Any]:
        host = self.hosts[runner.id]
        secret_arn = ""
        ecs = self.client("ecs")
        container = ecs.describe_task_definition(taskDefinition=host._service().task_definition)["taskDefinition"][
            "containerDefinitions"
        ][0]
        for ref in container.get("secrets", []):
            if ref["name"] == "OAUTH_CLIENT_SECRET":
                secret_arn = SecretRef.parse(ref["valueFrom"]).arn
        return {
            "platform": "aws",
            "name": runner.name,
            "region": REGION,
            "cluster": host.cluster,
            "service": host.service,
            "secret": secret_arn,
        }
