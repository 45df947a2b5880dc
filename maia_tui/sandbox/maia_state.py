"""The Maia account the emulator serves: runners, their credentials, API tokens, projects and executions."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

PAUSE_LENGTH = timedelta(hours=24)


def new_secret() -> str:
    """A fresh runner client secret, shaped like an opaque OAuth secret."""
    return secrets.token_urlsafe(30)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class EmulatedRunner:
    """One runner as Maia knows it; the honest simulator (runners.py) decides when it connects."""

    id: str
    name: str
    cloud_provider: str
    deployment: str
    status: str = "running"
    connected: bool = True
    agent_type: str = "data_productivity_cloud"
    description: str = ""
    enable_auto_updates: bool = True
    restricted_access: bool = False
    agent_version: str = "11.86.2"
    update_available: bool = False
    track_name: str = "current"
    client_id: str = field(default_factory=lambda: f"agent-{uuid.uuid4().hex[:20]}")
    client_secret: str = field(default_factory=new_secret)
    paused_until: datetime | None = None
    session: str | None = None  # the token its current connection authenticated with

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "agentId": self.id,
            "agentStatus": self.status,
            "agentType": self.agent_type,
            "cloudProvider": self.cloud_provider,
            "connected": self.connected,
            "deployment": self.deployment,
            "description": self.description,
            "enableAutoUpdates": self.enable_auto_updates,
            "name": self.name,
            "restrictedAccess": self.restricted_access,
            "versionDetails": {
                "agentUpdateAvailable": self.update_available,
                "agentVersion": self.agent_version,
                "support": "SUPPORTED",
                "trackName": self.track_name,
                "trackReleaseDate": "2026-11-17T00:00:00Z",
                "trackVersion": "11.87.0" if self.update_available else self.agent_version,
            },
        }
        if self.paused_until is not None and self.status in ("paused", "pausing"):
            body["pausedUntil"] = _iso(self.paused_until)
        return body

    @property
    def hosted(self) -> bool:
        return self.cloud_provider == "matillion"


@dataclass
class ApiCredential:
    """An API credential of the account (Profile & Account → API credentials)."""

    client_id: str
    client_secret: str
    role: str = "admin"  # admin | member


@dataclass
class Token:
    subject: str  # an API client id, or "runner:<id>"
    expires: float


@dataclass
class Project:
    id: str
    name: str
    environments: list[dict[str, Any]] = field(default_factory=list)


class MaiaState:
    """All of the emulated account, behind one lock; the HTTP layer and the simulator both use it."""

    def __init__(self, *, token_lifetime: float = 1800.0, drain_delay: float = 2.0) -> None:
        self.lock = threading.RLock()
        self.runners: dict[str, EmulatedRunner] = {}
        self.order: list[str] = []
        self.api_credentials: dict[str, ApiCredential] = {}
        self.tokens: dict[str, Token] = {}
        self.projects: list[Project] = []
        self.executions: list[dict[str, Any]] = []
        self.token_lifetime = token_lifetime
        self.drain_delay = drain_delay
        self.restart_requests: list[str] = []  # runner ids Maia asked to restart (the simulator consumes)
        self._timers: list[threading.Timer] = []

    # ── setup ──────────────────────────────────────────────────────────────

    def add_runner(self, runner: EmulatedRunner) -> EmulatedRunner:
        with self.lock:
            self.runners[runner.id] = runner
            self.order.append(runner.id)
        return runner

    def add_api_credential(self, role: str = "admin") -> ApiCredential:
        cred = ApiCredential(f"api-{uuid.uuid4().hex[:16]}", secrets.token_urlsafe(24), role)
        with self.lock:
            self.api_credentials[cred.client_id] = cred
        return cred

    def close(self) -> None:
        with self.lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()

    def _later(self, delay: float, action: Any) -> None:
        timer = threading.Timer(delay, action)
        timer.daemon = True
        with self.lock:
            self._timers = [t for t in self._timers if t.is_alive()]
            self._timers.append(timer)
        timer.start()

    # ── tokens ─────────────────────────────────────────────────────────────

    def issue_token(self, client_id: str, client_secret: str) -> str | None:
        """An access token for an API credential or a runner's credential; None when they do not match."""
        with self.lock:
            subject = None
            api = self.api_credentials.get(client_id)
            if api is not None and secrets.compare_digest(api.client_secret, client_secret):
                subject = client_id
            else:
                for runner in self.runners.values():
                    if runner.client_id == client_id and secrets.compare_digest(runner.client_secret, client_secret):
                        subject = f"runner:{runner.id}"
                        break
            if subject is None:
                return None
            token = secrets.token_urlsafe(32)
            self.tokens[token] = Token(subject, time.monotonic() + self.token_lifetime)
            return token

    def token_subject(self, token: str | None) -> str | None:
        with self.lock:
            entry = self.tokens.get(token or "")
            if entry is None or entry.expires <= time.monotonic():
                return None
            return entry.subject

    def expire_tokens(self) -> None:
        """Make every issued token invalid at once (tests of the 401 retry)."""
        with self.lock:
            self.tokens.clear()

    def role_of(self, subject: str) -> str:
        with self.lock:
            cred = self.api_credentials.get(subject)
            return cred.role if cred else "none"

    # ── runner connections (used by the honest simulator) ────────────────

    def connect(self, token: str | None) -> str | None:
        """A runner process authenticated with `token` connects; returns the runner id, or None if refused."""
        subject = self.token_subject(token)
        if not subject or not subject.startswith("runner:"):
            return None
        with self.lock:
            runner = self.runners.get(subject.removeprefix("runner:"))
            if runner is None:
                return None
            runner.session = token
            runner.connected = True
            if runner.status not in ("paused", "pausing"):
                runner.status = "running"
            return runner.id

    def disconnect(self, runner_id: str, status: str) -> None:
        """The runner's process went away (stopped, restarting or failing to authenticate)."""
        with self.lock:
            runner = self.runners[runner_id]
            runner.connected = False
            runner.session = None
            if runner.status not in ("paused", "pausing"):
                runner.status = status

    # ── API operations ─────────────────────────────────────────────────────

    def page(self, page: int, size: int) -> dict[str, Any]:
        with self.lock:
            ids = self.order[page * size : (page + 1) * size]
            return {
                "page": page,
                "size": size,
                "total": len(self.order),
                "results": [self.runners[i].to_api() for i in ids],
            }

    def refresh_secret(self, runner_id: str) -> EmulatedRunner:
        """SECRET_REFRESH: a new secret; the old one and every token issued with it are revoked now."""
        with self.lock:
            runner = self.runners[runner_id]
            runner.client_secret = new_secret()
            prefix = f"runner:{runner_id}"
            for token in [t for t, e in self.tokens.items() if e.subject == prefix]:
                del self.tokens[token]
            if runner.connected:
                runner.connected = False
                runner.session = None
                if runner.status not in ("paused", "pausing"):
                    runner.status = "unknown"
            return runner

    def pause(self, runner_id: str) -> None:
        """PAUSE: Pausing while running work drains, then Paused until `pausedUntil`."""
        with self.lock:
            runner = self.runners[runner_id]
            runner.status = "pausing"
            runner.paused_until = datetime.now(UTC) + PAUSE_LENGTH

        def drained() -> None:
            with self.lock:
                if runner.status == "pausing":
                    runner.status = "paused"
                    for execution in self.executions:
                        if execution.get("_agentId") == runner_id and execution["status"] == "RUNNING":
                            execution["status"] = "SUCCESS"
                            execution["finishedAt"] = _iso(datetime.now(UTC))

        self._later(self.drain_delay, drained)

    def resume(self, runner_id: str) -> None:
        """RESUME: Running when connected; Stopped or Unknown when it went away during the pause."""
        with self.lock:
            runner = self.runners[runner_id]
            runner.paused_until = None
            if runner.connected:
                runner.status = "running"
            elif runner.status == "stopped":
                runner.status = "stopped"
            else:
                runner.status = "unknown"

    def request_restart(self, runner_id: str) -> None:
        with self.lock:
            self.restart_requests.append(runner_id)

    def take_restart_requests(self) -> list[str]:
        with self.lock:
            taken, self.restart_requests = self.restart_requests, []
            return taken

    # ── projects and executions ──────────────────────────────────────────

    def add_project(self, name: str, environments: dict[str, str]) -> Project:
        """A project whose environments (name → default runner id) route pipelines to runners."""
        project = Project(
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"maia-sandbox/project/{name}")),
            name=name,
            environments=[
                {"name": env, "defaultAgentId": agent, "defaultAgentName": self.runners[agent].name}
                for env, agent in environments.items()
            ],
        )
        with self.lock:
            self.projects.append(project)
        return project

    def add_execution(self, project: Project, environment: str, pipeline: str, status: str = "RUNNING") -> None:
        agent = next(e["defaultAgentId"] for e in project.environments if e["name"] == environment)
        started = datetime.now(UTC) - timedelta(minutes=7 + len(self.executions))
        with self.lock:
            self.executions.insert(
                0,
                {
                    "pipelineExecutionId": str(uuid.uuid4()),
                    "pipelineName": pipeline,
                    "projectId": project.id,
                    "environmentName": environment,
                    "status": status,
                    "startedAt": _iso(started),
                    "finishedAt": None,
                    "message": "",
                    "pipelineType": "ORCHESTRATION",
                    "scheduleId": None,
                    "trigger": "SCHEDULE",
                    "user": "scheduler",
                    "_agentId": agent,
                },
            )

    def find_executions(self, filters: dict[str, str | None]) -> list[dict[str, Any]]:
        statuses = {s for s in (filters.get("status") or "").split(",") if s}
        with self.lock:
            found = []
            for execution in self.executions:
                if filters.get("projectId") and execution["projectId"] != filters["projectId"]:
                    continue
                if filters.get("environmentName") and execution["environmentName"] != filters["environmentName"]:
                    continue
                if statuses and execution["status"] not in statuses:
                    continue
                found.append({k: v for k, v in execution.items() if not k.startswith("_")})
            return found
