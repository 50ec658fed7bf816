"""Where the CLI finds its server, project and domain: files, environment, options.

Precedence, lowest first: the defaults (endpoint ``http://127.0.0.1:8080``, project
``default``, domain ``development``); ``~/.config/updraft/config.yaml`` (under
``$XDG_CONFIG_HOME`` when set); the first ``updraft.yaml`` found from the working directory
upward; the ``UPDRAFT_ENDPOINT``, ``UPDRAFT_PROJECT``, ``UPDRAFT_DOMAIN`` and
``UPDRAFT_TOKEN`` environment variables; the command's options. A user file keeps what is
personal (a token), a project file what the project shares (its server, project, domain).

This module only reads settings; it never talks to a server. PyYAML is imported only when a
file is there to read.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

DEFAULT_ENDPOINT = "http://127.0.0.1:8080"
DEFAULT_PROJECT = "default"
DEFAULT_DOMAIN = "development"

#: The name of a project's configuration file.
PROJECT_FILE = "updraft.yaml"

#: The keys a configuration file may set, and the environment variable of each.
KEYS: dict[str, str] = {
    "endpoint": "UPDRAFT_ENDPOINT",
    "project": "UPDRAFT_PROJECT",
    "domain": "UPDRAFT_DOMAIN",
    "token": "UPDRAFT_TOKEN",
}


class ConfigError(click.ClickException):
    """A configuration file cannot be read or holds a value of the wrong kind (exit 2)."""

    exit_code = 2


@dataclasses.dataclass(frozen=True)
class Settings:
    """What remote commands use, and where each value came from.

    Attributes:
        endpoint: the server's address.
        project: the project entities and executions belong to.
        domain: development, staging or production.
        token: the API token, or None.
        sources: for each key, where its value came from: ``default``, a file's path, an
            environment variable's name or ``--option``.
    """

    endpoint: str = DEFAULT_ENDPOINT
    project: str = DEFAULT_PROJECT
    domain: str = DEFAULT_DOMAIN
    token: str | None = None
    sources: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @property
    def endpoint_is_default(self) -> bool:
        """True when nobody chose the endpoint: no file, variable or option named one."""
        return self.sources.get("endpoint", "default") == "default"


def user_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/updraft/config.yaml``, by default ``~/.config/updraft/config.yaml``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "updraft" / "config.yaml"


def find_project_file(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The first ``updraft.yaml`` in ``start`` (the working directory) or a folder above."""
    folder = Path(start if start is not None else os.getcwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / PROJECT_FILE
        if path.is_file():
            return path
    return None


def read_config_file(path: Path) -> dict[str, str]:
    """The known keys of one configuration file; other keys are left for other tools.

    Raises:
        ConfigError: the file is not YAML, not a mapping, or a known key is not text.
    """
    import yaml

    try:
        loaded: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        detail = str(exc).replace("\n", " ")
        raise ConfigError(f"cannot read the configuration file {path}: {detail}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(
            f"the configuration file {path} holds a {type(loaded).__name__}; expected a "
            "mapping such as 'endpoint: http://127.0.0.1:8080'"
        )
    found: dict[str, str] = {}
    for key in KEYS:
        if key not in loaded or loaded[key] is None:
            continue
        value = loaded[key]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ConfigError(
                f"{path}: '{key}' should be text, got {type(value).__name__} {value!r}"
            )
        found[key] = str(value)
    return found


def load_settings(
    *,
    cwd: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    **options: str | None,
) -> Settings:
    """The settings for a remote command.

    Args:
        cwd: where to start looking for ``updraft.yaml`` (the working directory by default).
        environ: the environment (``os.environ`` by default).
        options: values the user gave as options (endpoint, project, domain, token); None
            for an option not given.

    Raises:
        ConfigError: a configuration file is unreadable, or a key has no value.

    Example:
        >>> load_settings(project="flyteexamples").project
        'flyteexamples'
    """
    env = os.environ if environ is None else environ
    unknown = sorted(set(options) - set(KEYS))
    if unknown:
        raise TypeError(f"unknown setting(s) {unknown}; known: {', '.join(KEYS)}")
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    files = [user_config_path(env), find_project_file(cwd)]
    for path in files:
        if path is not None and path.is_file():
            for key, value in read_config_file(path).items():
                values[key], sources[key] = value, str(path)
    for key, variable in KEYS.items():
        if env.get(variable):
            values[key], sources[key] = env[variable], variable
    for key, option in options.items():
        if option is not None:
            values[key], sources[key] = option, f"--{key}"
    for key in ("endpoint", "project", "domain"):
        if key in values and not values[key].strip():
            raise ConfigError(
                f"the {key} set by {sources[key]} is empty; give a value or remove it"
            )
    return Settings(
        endpoint=values.get("endpoint", DEFAULT_ENDPOINT).strip(),
        project=values.get("project", DEFAULT_PROJECT).strip(),
        domain=values.get("domain", DEFAULT_DOMAIN).strip(),
        token=values.get("token") or None,
        sources={key: sources.get(key, "default") for key in KEYS},
    )
