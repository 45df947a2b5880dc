"""The Maia API emulator: the token endpoint and the agents, projects and executions endpoints on loopback."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

from maia_tui.sandbox.loopback import Emulator, LoopbackServer, Request, Response, Router, problem
from maia_tui.sandbox.maia_state import MaiaState

API_PREFIX = "/dpc"
TOKEN_PATH = "/oauth/dpc/token"
MAX_PAGE_SIZE = 100


class MaiaEmulator(Emulator):
    """Serves a MaiaState over HTTP with the real paths, field names and problem+json errors."""

    def __init__(self, state: MaiaState) -> None:
        self.state = state
        self.server = LoopbackServer(self._router(), name="maia-emulator")

    @property
    def api_url(self) -> str:
        return f"{self.server.url}{API_PREFIX}"

    @property
    def token_url(self) -> str:
        return f"{self.server.url}{TOKEN_PATH}"

    def count(self, method: str, path_regex: str) -> int:
        """Calls received on METHOD path (regex, without the /dpc prefix for API paths)."""
        return self.server.count(method, f"(?:{API_PREFIX})?{path_regex}")

    # ── routing ────────────────────────────────────────────────────────────

    def _router(self) -> Router:
        router = Router()
        router.add("POST", TOKEN_PATH, self._token)
        api = [
            ("GET", "/v1/agents", self._list_agents, "user"),
            ("GET", "/v1/agents/{agent_id}", self._get_agent, "user"),
            ("GET", "/v1/agents/{agent_id}/credentials", self._get_credentials, "admin"),
            ("POST", "/v1/agents/{agent_id}/credentials", self._post_credentials, "admin"),
            ("POST", "/v1/agents/{agent_id}/commands", self._command, "admin"),
            ("GET", "/v1/projects", self._projects, "user"),
            ("GET", "/v1/projects/{project_id}/environments", self._environments, "user"),
            ("GET", "/v1/pipeline-executions", self._executions, "user"),
        ]
        for method, path, handler, needs in api:
            router.add(method, API_PREFIX + path, self._authorised(handler, needs))
        router.add("POST", "/_runner/connect", self._runner_connect)
        router.add("POST", "/_sandbox/faults", self._add_fault)
        router.add("DELETE", "/_sandbox/faults", self._clear_faults)
        return router

    def _authorised(self, handler: Callable[[Request], Response], needs: str) -> Callable[[Request], Response]:
        def guarded(request: Request) -> Response:
            subject = self.state.token_subject(request.bearer)
            if subject is None or subject.startswith("runner:"):
                return problem(401, "Unauthorized", "Missing, invalid or expired bearer token", request.path)
            if needs == "admin" and self.state.role_of(subject) != "admin":
                return problem(
                    403, "Forbidden", "The API credential's role does not allow managing runners", request.path
                )
            return handler(request)

        return guarded

    # ── handlers ───────────────────────────────────────────────────────────

    def _token(self, request: Request) -> Response:
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return Response(400, {"error": "unsupported_grant_type"})
        if form.get("audience") != "https://api.matillion.com":
            return Response(403, {"error": "access_denied", "error_description": "Service not enabled within domain"})
        token = self.state.issue_token(form.get("client_id", ""), form.get("client_secret", ""))
        if token is None:
            return Response(401, {"error": "access_denied", "error_description": "Unauthorized"})
        return Response(
            200, {"access_token": token, "token_type": "Bearer", "expires_in": int(self.state.token_lifetime)}
        )

    def _runner(self, request: Request) -> Response | None:
        if request.params["agent_id"] not in self.state.runners:
            return problem(404, "Not Found", f"Agent {request.params['agent_id']} not found", request.path)
        return None

    def _list_agents(self, request: Request) -> Response:
        try:
            page = max(0, int(request.arg("page", "0") or 0))
            size = min(MAX_PAGE_SIZE, max(1, int(request.arg("size", "25") or 25)))
        except ValueError:
            return problem(400, "Bad Request", "page and size must be integers", request.path)
        return Response(200, self.state.page(page, size))

    def _get_agent(self, request: Request) -> Response:
        if missing := self._runner(request):
            return missing
        with self.state.lock:
            return Response(200, self.state.runners[request.params["agent_id"]].to_api())

    def _get_credentials(self, request: Request) -> Response:
        if missing := self._runner(request):
            return missing
        with self.state.lock:
            runner = self.state.runners[request.params["agent_id"]]
            return Response(200, {"clientId": runner.client_id, "clientSecret": runner.client_secret})

    def _post_credentials(self, request: Request) -> Response:
        if missing := self._runner(request):
            return missing
        try:
            body = request.json() or {}
        except json.JSONDecodeError:
            body = {}
        if body.get("action") != "SECRET_REFRESH":
            return problem(400, "Bad Request", "Failed to read request. Please check your request body.", request.path)
        runner = self.state.runners[request.params["agent_id"]]
        if runner.hosted:
            return problem(409, "Conflict", "Matillion-hosted runners are managed by Matillion", request.path)
        runner = self.state.refresh_secret(runner.id)
        return Response(200, {"clientId": runner.client_id, "clientSecret": runner.client_secret})

    def _command(self, request: Request) -> Response:
        if missing := self._runner(request):
            return missing
        try:
            command = (request.json() or {}).get("command")
        except (json.JSONDecodeError, AttributeError):
            command = None
        if command not in ("RESTART", "PAUSE", "RESUME"):
            return problem(400, "Bad Request", "Failed to read request. Please check your request body.", request.path)
        runner_id = request.params["agent_id"]
        with self.state.lock:
            runner = self.state.runners[runner_id]
            status, connected = runner.status, runner.connected
        if runner.hosted:
            return problem(409, "Conflict", "Matillion-hosted runners are managed by Matillion", request.path)
        if command == "PAUSE":
            if status != "running" or not connected:
                return problem(409, "Conflict", f"Agent cannot be paused while {status}", request.path)
            self.state.pause(runner_id)
        elif command == "RESUME":
            if status not in ("paused", "pausing"):
                return problem(409, "Conflict", f"Agent is not paused (it is {status})", request.path)
            self.state.resume(runner_id)
        else:
            if not connected:
                return problem(
                    409,
                    "Conflict",
                    "Agent is not connected, so it cannot receive a restart; restart it on its cloud platform",
                    request.path,
                )
            self.state.request_restart(runner_id)
        return Response(202, {"message": "Agent command received successfully"})

    def _paged(self, request: Request, items: Sequence[Mapping[str, object]]) -> Response:
        page = max(0, int(request.arg("page", "0") or 0))
        size = min(MAX_PAGE_SIZE, max(1, int(request.arg("size", "25") or 25)))
        chunk = items[page * size : (page + 1) * size]
        return Response(200, {"page": page, "size": size, "total": len(items), "results": chunk})

    def _projects(self, request: Request) -> Response:
        with self.state.lock:
            items = [{"id": p.id, "name": p.name, "description": ""} for p in self.state.projects]
        return self._paged(request, items)

    def _environments(self, request: Request) -> Response:
        with self.state.lock:
            project = next((p for p in self.state.projects if p.id == request.params["project_id"]), None)
            if project is None:
                return problem(404, "Not Found", "Project not found", request.path)
            items = [dict(e) for e in project.environments]
        return self._paged(request, items)

    def _executions(self, request: Request) -> Response:
        limit = min(100, max(1, int(request.arg("limit", "25") or 25)))
        offset = int(request.arg("paginationToken", "0") or 0)
        found = self.state.find_executions({k: request.arg(k) for k in ("status", "projectId", "environmentName")})
        body: dict[str, object] = {"results": found[offset : offset + limit]}
        if offset + limit < len(found):
            body["more"] = str(offset + limit)
        return Response(200, body)

    def _add_fault(self, request: Request) -> Response:
        """Fault injection from another process: JSON with method, path and the arguments of Faults.add."""
        spec = request.json() or {}
        allowed = {"status", "count", "delay", "drop", "retry_after"}
        self.faults.add(str(spec["method"]), str(spec["path"]), **{k: v for k, v in spec.items() if k in allowed})
        return Response(201, {"faults": "added"})

    def _clear_faults(self, request: Request) -> Response:
        self.faults.clear()
        return Response(204)

    def _runner_connect(self, request: Request) -> Response:
        runner_id = self.state.connect(request.bearer)
        if runner_id is None:
            return problem(401, "Unauthorized", "Runner credentials rejected", request.path)
        return Response(200, {"agentId": runner_id, "connected": True})
