"""Async client for the Maia REST API: OAuth2 client credentials, retries, paging, typed errors."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from maia_tui.core.errors import (
    ApiConnectionError,
    ApiTimeoutError,
    AuthenticationError,
    MaiaApiError,
    MissingCredentials,
    RateLimitedError,
    ServerError,
)
from maia_tui.core.maia.errors import error_for_status, parse_problem
from maia_tui.core.maia.models import PipelineExecution, Runner, RunnerCommand, RunnerCredentials
from maia_tui.core.maia.retry import RetryPolicy, parse_retry_after
from maia_tui.core.secret import Secret

if TYPE_CHECKING:
    import httpx

    from maia_tui.core.settings import Settings

AUDIENCE = "https://api.matillion.com"
PAGE_SIZE = 100
MAX_PAGES = 10_000
USER_AGENT = "maia-tui"

RetryListener = Callable[[str, float], None]


@dataclass(frozen=True, slots=True)
class RunningPipelines:
    """Pipelines RUNNING in the environments whose default runner is this one (Maia offers no exact filter)."""

    executions: list[PipelineExecution] = field(default_factory=list)
    environments: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.executions)


class _Token:
    """A bearer token and the monotonic time at which to stop using it."""

    __slots__ = ("use_until", "value")

    def __init__(self, value: Secret, use_until: float) -> None:
        self.value = value
        self.use_until = use_until


class MaiaClient:
    """The one place that talks to Maia; owns transport errors and maps them to the error tree."""

    def __init__(
        self,
        *,
        api_url: str,
        token_url: str,
        client_id: str,
        client_secret: Secret,
        timeout: float = 20.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._transport = transport
        self._sleep = sleep
        self._http: httpx.AsyncClient | None = None
        self._token: _Token | None = None
        self._token_lock: asyncio.Lock | None = None
        self.retry_listeners: list[RetryListener] = []
        self.token_requests = 0

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> MaiaClient:
        """A client for the configured account; settings must carry credentials."""
        if settings.credentials is None:
            raise MissingCredentials()
        kwargs.setdefault("timeout", settings.timeout)
        return cls(
            api_url=settings.api_url,
            token_url=settings.token_url,
            client_id=settings.credentials.client_id,
            client_secret=settings.credentials.client_secret,
            **kwargs,
        )

    # ── lifecycle ────────────────────────────────────────────────────────────

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            import httpx  # lazy: keeps ~0.1 s off the app's first frame

            self._http = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout, connect=min(10.0, self.timeout)),
                transport=self._transport,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                follow_redirects=False,
            )
        return self._http

    async def aclose(self) -> None:
        """Close the connection pool; the client can be used again afterwards."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> MaiaClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ── auth ────────────────────────────────────────────────────────────────

    async def _bearer(self) -> Secret:
        if self._token_lock is None:
            self._token_lock = asyncio.Lock()
        async with self._token_lock:
            if self._token is None or time.monotonic() >= self._token.use_until:
                self._token = await self._fetch_token()
            return self._token.value

    def invalidate_token(self) -> None:
        """Forget the cached token so the next call asks for a fresh one."""
        self._token = None

    async def _fetch_token(self) -> _Token:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret.reveal(),
            "audience": AUDIENCE,
        }
        self.token_requests += 1
        response = await self._send("POST", self.token_url, action="Getting an API token", data=form)
        if response.status_code in (400, 401, 403):
            raise AuthenticationError(
                f"Maia refused the API credential {self.client_id!r} ({response.status_code})",
                status=response.status_code,
            )
        if response.status_code >= 400:
            raise self._error(response, action="Getting an API token")
        try:
            body = response.json()
            token = Secret(str(body["access_token"]))
            lifetime = float(body.get("expires_in") or 1800)
        except (ValueError, KeyError, TypeError) as exc:
            raise MaiaApiError("The token endpoint answered without an access_token") from exc
        # Stop using a token a little before it expires: 5 minutes, or a tenth of a short lifetime.
        margin = min(300.0, lifetime / 10)
        return _Token(token, time.monotonic() + lifetime - margin)

    # ── transport ────────────────────────────────────────────────────────────

    def _notify_retry(self, reason: str, delay: float) -> None:
        for listener in list(self.retry_listeners):
            listener(reason, delay)

    async def _send(
        self,
        method: str,
        url: str,
        *,
        action: str,
        idempotent: bool = True,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one request, retrying 5xx, 429 and transport failures within the policy."""
        import httpx

        failures = 0
        rate_waits = 0
        while True:
            try:
                response = await self._client().request(method, url, headers=headers, **kwargs)
            except httpx.TimeoutException as exc:
                # A request that timed out after sending may have been applied: retry it only when safe.
                safe = idempotent or isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                if safe and failures + 1 < self.retry.attempts:
                    delay = self.retry.backoff(failures)
                    failures += 1
                    self._notify_retry(f"{action}: timed out", delay)
                    await self._sleep(delay)
                    continue
                raise ApiTimeoutError(f"{action} timed out after {self.timeout:g} s") from exc
            except httpx.TransportError as exc:
                safe = idempotent or isinstance(exc, httpx.ConnectError)
                if safe and failures + 1 < self.retry.attempts:
                    delay = self.retry.backoff(failures)
                    failures += 1
                    self._notify_retry(f"{action}: cannot reach Maia ({type(exc).__name__})", delay)
                    await self._sleep(delay)
                    continue
                raise ApiConnectionError(
                    f"{action}: cannot reach {httpx.URL(url).host} ({type(exc).__name__})"
                ) from exc
            status = response.status_code
            if status == 429:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if rate_waits < self.retry.rate_limit_waits:
                    delay = self.retry.rate_limit_delay(retry_after, rate_waits)
                    rate_waits += 1
                    self._notify_retry(f"{action}: rate limited by Maia", delay)
                    await self._sleep(delay)
                    continue
                error = self._error(response, action=action)
                assert isinstance(error, RateLimitedError)
                error.retry_after = retry_after
                raise error
            if status >= 500 and idempotent and failures + 1 < self.retry.attempts:
                delay = self.retry.backoff(failures)
                failures += 1
                self._notify_retry(f"{action}: Maia answered {status}", delay)
                await self._sleep(delay)
                continue
            return response

    def _error(self, response: httpx.Response, *, action: str, subject: str = "") -> MaiaApiError:
        problem = parse_problem(response.content, response.headers.get("Content-Type", ""))
        return error_for_status(response.status_code, problem, action=action, subject=subject)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        action: str,
        subject: str = "",
        idempotent: bool = True,
        **kwargs: Any,
    ) -> Any:
        """An authenticated API call: one retry with a fresh token on 401, JSON (or None) back."""
        url = f"{self.api_url}{path}"
        for attempt in (1, 2):
            token = await self._bearer()
            headers = {"Authorization": f"Bearer {token.reveal()}"}
            response = await self._send(method, url, action=action, idempotent=idempotent, headers=headers, **kwargs)
            if response.status_code == 401 and attempt == 1:
                self.invalidate_token()
                continue
            if response.status_code >= 400:
                error = self._error(response, action=action, subject=subject)
                if isinstance(error, ServerError) and not idempotent:
                    error.remedy = (
                        "Maia failed while handling this; it may or may not have been applied. "
                        "Check the runner before trying again."
                    )
                raise error
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                return response.text
        raise AssertionError("unreachable")

    # ── runners ──────────────────────────────────────────────────────────────

    async def iter_runner_pages(self, page_size: int = PAGE_SIZE) -> AsyncIterator[list[Runner]]:
        """Yield runners a page at a time; accepts a bare array or the {page,size,total,results} envelope."""
        seen: set[str] = set()
        for page in range(MAX_PAGES):
            body = await self._call(
                "GET", "/v1/agents", action="Listing runners", params={"page": page, "size": page_size}
            )
            if isinstance(body, list):
                items, total = body, None
            elif isinstance(body, dict):
                items = body.get("results") or []
                total = body.get("total")
            else:
                items, total = [], None
            runners = [Runner.from_api(item) for item in items if isinstance(item, dict)]
            fresh = [r for r in runners if r.id not in seen]
            seen.update(r.id for r in fresh)
            if fresh:
                yield fresh
            if isinstance(body, list) or not items or not fresh:
                return
            if isinstance(total, int) and (page + 1) * page_size >= total:
                return

    async def list_runners(self, page_size: int = PAGE_SIZE) -> list[Runner]:
        """Every runner in the account, across all pages."""
        runners: list[Runner] = []
        async for page in self.iter_runner_pages(page_size):
            runners.extend(page)
        return runners

    async def get_runner(self, runner_id: str) -> Runner:
        body = await self._call("GET", f"/v1/agents/{runner_id}", action="Reading", subject=f"runner {runner_id}")
        return Runner.from_api(body)

    async def get_credentials(self, runner_id: str) -> RunnerCredentials:
        """The runner's current client id and secret (GET .../credentials)."""
        body = await self._call(
            "GET",
            f"/v1/agents/{runner_id}/credentials",
            action="Reading the credentials of",
            subject=f"runner {runner_id}",
        )
        return RunnerCredentials.from_api(body or {})

    async def refresh_credentials(self, runner_id: str) -> RunnerCredentials:
        """SECRET_REFRESH: revokes the current secret at once and returns the new one. Never retried blindly."""
        body = await self._call(
            "POST",
            f"/v1/agents/{runner_id}/credentials",
            action="Refreshing the credentials of",
            subject=f"runner {runner_id}",
            idempotent=False,
            json={"action": "SECRET_REFRESH"},
        )
        return RunnerCredentials.from_api(body or {})

    async def send_command(self, runner_id: str, command: RunnerCommand) -> None:
        """RESTART, PAUSE or RESUME the runner through Maia."""
        await self._call(
            "POST",
            f"/v1/agents/{runner_id}/commands",
            action=f"Sending {command.value} to",
            subject=f"runner {runner_id}",
            json={"command": command.value},
        )

    # ── pipelines ───────────────────────────────────────────────────────────

    async def _paged(self, path: str, *, action: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(MAX_PAGES):
            body = await self._call("GET", path, action=action, params={"page": page, "size": PAGE_SIZE})
            if isinstance(body, list):
                return items + [i for i in body if isinstance(i, dict)]
            results = (body or {}).get("results") or []
            items.extend(i for i in results if isinstance(i, dict))
            total = (body or {}).get("total")
            if not results or (isinstance(total, int) and (page + 1) * PAGE_SIZE >= total):
                break
        return items

    async def running_executions(self, project_id: str, environment_name: str) -> list[PipelineExecution]:
        """RUNNING executions of one project environment, following the `more` token."""
        executions: list[PipelineExecution] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {
                "status": "RUNNING",
                "projectId": project_id,
                "environmentName": environment_name,
                "limit": 100,
            }
            if token:
                params["paginationToken"] = token
            body = await self._call("GET", "/v1/pipeline-executions", action="Listing running pipelines", params=params)
            body = body or {}
            executions.extend(PipelineExecution.from_api(r) for r in body.get("results") or [] if isinstance(r, dict))
            token = body.get("more")
            if not token:
                break
        return executions

    async def running_pipelines(self, runner_id: str) -> RunningPipelines:
        """Pipelines running in environments whose default runner is this one: an approximation, as in Maia."""
        projects = await self._paged("/v1/projects", action="Listing projects")
        executions: list[PipelineExecution] = []
        environments: list[str] = []
        for project in projects:
            project_id = str(project.get("id") or project.get("projectId") or "")
            if not project_id:
                continue
            envs = await self._paged(f"/v1/projects/{project_id}/environments", action="Listing environments")
            for env in envs:
                if str(env.get("defaultAgentId") or "") != runner_id:
                    continue
                name = str(env.get("name") or "")
                environments.append(f"{project.get('name') or project_id}/{name}")
                executions.extend(await self.running_executions(project_id, name))
        return RunningPipelines(executions=executions, environments=environments)
