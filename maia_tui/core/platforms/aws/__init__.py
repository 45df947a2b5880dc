"""AWS: a runner is an ECS service whose task definition reads OAUTH_CLIENT_SECRET from Secrets Manager."""

from maia_tui.core.platforms.aws.adapter import AwsAdapter
from maia_tui.core.platforms.aws.values import SecretRef, ServiceDetails, compose_secret, read_key

__all__ = ["AwsAdapter", "SecretRef", "ServiceDetails", "compose_secret", "read_key"]
