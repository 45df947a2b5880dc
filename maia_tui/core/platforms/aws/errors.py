"""botocore's exceptions mapped to maia-tui's error tree, naming the action, the resource and the permission."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from maia_tui.core.errors import (
    PlatformAccessDenied,
    PlatformError,
    PlatformNotFound,
    PlatformRefused,
    PlatformUnreachable,
)

_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
_NOT_FOUND = {"ResourceNotFoundException", "ServiceNotFoundException", "ClusterNotFoundException"}
_BAD_LOGIN = {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException"}


@contextmanager
def aws_errors(action: str, resource: str, permission: str) -> Iterator[None]:
    """Map botocore's exceptions to the error tree, naming the action, the resource and the permission."""
    from botocore import exceptions as bx

    on = f" on {resource}" if resource else ""
    try:
        yield
    except bx.ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        message = str(error.response.get("Error", {}).get("Message", "")) or code
        if code in _DENIED:
            raise PlatformAccessDenied(
                f"{action}{on} was denied: {message}",
                platform="aws",
                remedy=f"Grant {permission}{on} to the AWS identity this host uses "
                "(aws sts get-caller-identity shows which), then retry this step.",
            ) from None
        if code in _NOT_FOUND:
            raise PlatformNotFound(f"{action}: {message}", platform="aws") from None
        if code in _BAD_LOGIN:
            raise PlatformUnreachable(
                f"{action}: the AWS credentials were refused ({code})",
                platform="aws",
                remedy="Log in again (e.g. aws sso login), then retry this step.",
            ) from None
        if code == "InvalidRequestException":
            raise PlatformRefused(f"{action}{on}: {message}", platform="aws") from None
        raise PlatformError(f"{action}{on} failed: {code}: {message}", platform="aws") from None
    except (bx.NoCredentialsError, bx.ProfileNotFound, bx.NoRegionError, bx.PartialCredentialsError) as error:
        raise PlatformUnreachable(f"{action}: {error}", platform="aws") from None
    except (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError) as error:
        raise PlatformUnreachable(
            f"{action}: cannot reach AWS ({type(error).__name__})",
            platform="aws",
            remedy="Check the network (proxy, VPN) from this host to AWS, then retry this step.",
        ) from None
