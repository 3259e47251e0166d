"""Loading a source's connection settings and credentials (one JSON secret per source).

``EFW_SECRET_<ID>`` (upper case, dashes as underscores) overrides Secrets Manager for local runs;
otherwise the secret ``<EFW_SECRET_PREFIX><id>`` is read through Powertools (cached for five minutes,
so a warm Lambda does not call Secrets Manager on every page). Values never reach logs or messages.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from eventframework.fetch.errors import CredentialsError
from eventframework.fetch.jsondoc import loads_text
from eventframework.state.aws import container_session

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

CACHE_SECONDS = 300
# Secrets Manager's own limit for a secret value (64 KB); the local override is held to it too.
MAX_SECRET_CHARS = 65_536


def secret_name(source_id: str) -> str:
    return f"{os.environ.get('EFW_SECRET_PREFIX', 'efw/')}{source_id}"


def env_override_name(source_id: str) -> str:
    return "EFW_SECRET_" + source_id.upper().replace("-", "_")


def _as_strings(source_id: str, where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise CredentialsError(
            source_id, where, 'must be a JSON object such as {"base_url": ..., "token": ...}'
        )
    return {str(k): str(v) for k, v in value.items() if v is not None}


_provider: SecretsProvider | None = None


def _secrets() -> SecretsProvider:
    """The container's Secrets Manager provider (Powertools: cached values), on the shared session."""
    global _provider  # noqa: PLW0603 - one provider (and its cache) per container is the point
    if _provider is None:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        _provider = SecretsProvider(boto3_session=container_session())
    return _provider


def forget_secrets() -> None:
    """Drop the cached secrets and their client, as a new container starts without them."""
    global _provider  # noqa: PLW0603
    _provider = None


def load_credentials(source_id: str) -> dict[str, str]:
    """The source's secret as a dict of strings (``base_url``, ``token``, ``client_id``, ...)."""
    override = env_override_name(source_id)
    raw = os.environ.get(override)
    if raw is not None:
        if len(raw) > MAX_SECRET_CHARS:
            problem = f"is {len(raw)} characters; a secret holds at most {MAX_SECRET_CHARS}"
            raise CredentialsError(source_id, override, problem)
        try:
            return _as_strings(source_id, override, loads_text(raw))
        except json.JSONDecodeError:
            raise CredentialsError(source_id, override, "is not valid JSON") from None
    name = secret_name(source_id)
    from aws_lambda_powertools.utilities import parameters

    try:
        value = _secrets().get(name, transform="json", max_age=CACHE_SECONDS)
    except parameters.exceptions.TransformParameterError:
        raise CredentialsError(source_id, name, "is not valid JSON") from None
    except parameters.exceptions.GetParameterError as exc:
        raise CredentialsError(source_id, name, f"cannot be read ({type(exc.__cause__).__name__})") from None
    return _as_strings(source_id, name, value)
