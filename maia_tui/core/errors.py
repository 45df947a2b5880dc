"""One error tree for the whole tool: every error carries a one-line remedy an operator can act on.

MaiaTuiError
├── ConfigError                 the config file or environment is unusable
│   └── MissingCredentials      no Maia API credential is configured
├── MaiaApiError                the Maia REST API said no, or could not be reached
│   ├── BadRequestError         400
│   ├── AuthenticationError     401: the API credential is wrong or revoked
│   ├── PermissionDeniedError   403: the API credential's role lacks "Manage runners"
│   ├── NotFoundError           404: no such runner (or project)
│   ├── ConflictError           409: the runner cannot do that in its current state
│   ├── RateLimitedError        429 after every Retry-After wait was spent
│   ├── ServerError             5xx after every retry was spent
│   ├── ApiConnectionError      the API could not be reached
│   └── ApiTimeoutError         the API did not answer in time
├── PlatformError               a cloud platform call failed (AWS, Azure, GKE, Snowflake)
│   ├── PlatformAccessDenied    credentials lack a permission
│   ├── PlatformNotFound        the target (service, secret, app) does not exist
│   ├── PlatformUnreachable     no credentials or no network to the platform from this host
│   └── PlatformRefused         the target is in a state we must not write to
└── RotationError               the rotation itself cannot go on
    └── RotationLocked          another maia-tui process is rotating this runner
"""

from __future__ import annotations


class MaiaTuiError(Exception):
    """Base of every error the tool raises on purpose; `remedy` says what the operator can do."""

    default_remedy = "See the log for details."

    def __init__(self, message: str, *, remedy: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy or self.default_remedy

    def __str__(self) -> str:
        return self.message

    def explain(self) -> str:
        """The message and its remedy on one line each, for a notification or a terminal."""
        return f"{self.message}\n→ {self.remedy}"


class ConfigError(MaiaTuiError):
    """The config file (or an environment variable) cannot be used as written."""

    default_remedy = "Fix the file, or move it aside to start from defaults."

    def __init__(
        self,
        problem: str,
        *,
        path: str | None = None,
        line: int | None = None,
        remedy: str | None = None,
    ) -> None:
        where = path or "configuration"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {problem}", remedy=remedy)
        self.path = path
        self.line = line
        self.problem = problem


class MissingCredentials(ConfigError):
    """No Maia API credential is configured."""

    def __init__(self) -> None:
        super().__init__(
            "no Maia API credential is set",
            path="environment",
            remedy=(
                "Set MAIA_CLIENT_ID and MAIA_CLIENT_SECRET (an API credential with 'Manage runners') and "
                "MAIA_REGION (eu1 or us1), or put them under 'maia:' in the config file "
                "(maia-tui info shows where). To try maia-tui without an account: maia-tui demo"
            ),
        )


class MaiaApiError(MaiaTuiError):
    """The Maia API refused a call or could not be reached; carries the problem+json fields."""

    default_remedy = "Try again; if it persists, check status.matillion.com."

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        detail: str | None = None,
        instance: str | None = None,
        remedy: str | None = None,
    ) -> None:
        super().__init__(message, remedy=remedy)
        self.status = status
        self.detail = detail
        self.instance = instance


class BadRequestError(MaiaApiError):
    """400: the API rejected the request body or parameters."""

    default_remedy = "This is likely a maia-tui bug: please report it with the log file."


class AuthenticationError(MaiaApiError):
    """401: the API credential is wrong, expired or revoked."""

    default_remedy = (
        "Check MAIA_CLIENT_ID / MAIA_CLIENT_SECRET and MAIA_REGION: the credential must exist "
        "in the account of that region (Maia → Profile & Account → API credentials)."
    )


class PermissionDeniedError(MaiaApiError):
    """403: the credential's role cannot do this."""

    default_remedy = (
        "The API credential needs a role with 'Manage runners' (Super Admin or Admin); "
        "Billing Admin and Member cannot manage runners."
    )


class NotFoundError(MaiaApiError):
    """404: the runner (or project) does not exist in this account and region."""

    default_remedy = "Check the runner id, and that MAIA_REGION is the region of the account."


class ConflictError(MaiaApiError):
    """409: the runner's state does not allow the action."""

    default_remedy = "Refresh the runner's status and try an action that fits it."


class RateLimitedError(MaiaApiError):
    """429 after waiting out Retry-After as many times as allowed."""

    default_remedy = "Maia allows about 1000 requests a minute per account: wait a minute, then retry."

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(MaiaApiError):
    """5xx after every retry."""

    default_remedy = "Maia is failing on its side: wait a few minutes and retry; check status.matillion.com."


class ApiConnectionError(MaiaApiError):
    """The API host could not be reached (DNS, TCP, TLS, proxy)."""

    default_remedy = "Check the network from this host to the Maia API (proxy, firewall, DNS), then retry."


class ApiTimeoutError(MaiaApiError):
    """The API did not answer within the timeout."""

    default_remedy = "The API is slow or the network is lossy: retry; raise the timeout if it keeps happening."


class PlatformError(MaiaTuiError):
    """A call to the runner's cloud platform failed."""

    default_remedy = "Check the platform's console for the resource named above, then retry this step."

    def __init__(self, message: str, *, platform: str = "", remedy: str | None = None) -> None:
        super().__init__(message, remedy=remedy)
        self.platform = platform


class PlatformAccessDenied(PlatformError):
    """The platform credentials on this host lack a permission."""

    default_remedy = "Grant the permission named above to the identity this host uses, then retry."


class PlatformNotFound(PlatformError):
    """The platform resource (service, secret, app, values file) does not exist."""

    default_remedy = "Check the runner's binding in the config file (maia-tui info shows where it is)."


class PlatformUnreachable(PlatformError):
    """No credentials for, or no network to, the platform from this host."""

    default_remedy = "Log in to the platform from this host, or finish this step by hand in its console."


class PlatformRefused(PlatformError):
    """The target is in a state maia-tui must not write to (rotation enabled, pending version, ...)."""


class RotationError(MaiaTuiError):
    """The rotation cannot go on as asked."""


class RotationLocked(RotationError):
    """Another maia-tui process holds the lock on this runner."""

    default_remedy = "Wait for that rotation to finish, or, if that process is gone, remove the lock file."
