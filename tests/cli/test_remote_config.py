"""Where remote commands get their endpoint, project, domain and token: defaults, the user
file, the project's updraft.yaml (found upward), the environment and options, in that
order."""

from __future__ import annotations

from pathlib import Path

import pytest

from updraft.cli._config import (
    ConfigError,
    find_project_file,
    load_settings,
    user_config_path,
)


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "xdg" / "updraft"
    folder.mkdir(parents=True)
    return folder


def test_defaults_when_nothing_is_configured(tmp_path: Path) -> None:
    settings = load_settings(cwd=tmp_path, environ={"XDG_CONFIG_HOME": str(tmp_path / "no")})
    assert (settings.endpoint, settings.project, settings.domain, settings.token) == (
        "http://127.0.0.1:8080", "default", "development", None)
    assert settings.endpoint_is_default


def test_precedence_user_file_project_file_environment_options(
    tmp_path: Path, user_dir: Path
) -> None:
    (user_dir / "config.yaml").write_text(
        "endpoint: http://user:1\nproject: from-user\ndomain: staging\ntoken: t0k3n\n")
    project = tmp_path / "repo"
    (project / "pkg" / "deep").mkdir(parents=True)
    (project / "updraft.yaml").write_text(
        "endpoint: http://project:2\nproject: from-project\nworkflows: pkg\n")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}

    from_files = load_settings(cwd=project / "pkg" / "deep", environ=env)
    assert from_files.endpoint == "http://project:2"  # the project file wins over the user's
    assert from_files.project == "from-project"
    assert from_files.domain == "staging" and from_files.token == "t0k3n"  # kept from user
    assert from_files.sources["endpoint"] == str(project / "updraft.yaml")
    assert not from_files.endpoint_is_default

    env.update(UPDRAFT_ENDPOINT="http://env:3", UPDRAFT_DOMAIN="production",
               UPDRAFT_TOKEN="other")
    from_env = load_settings(cwd=project, environ=env)
    assert (from_env.endpoint, from_env.project, from_env.domain, from_env.token) == (
        "http://env:3", "from-project", "production", "other")
    assert from_env.sources["endpoint"] == "UPDRAFT_ENDPOINT"

    from_options = load_settings(cwd=project, environ=env, endpoint="http://opt:4",
                                 project="opt-project", domain=None)
    assert (from_options.endpoint, from_options.project, from_options.domain) == (
        "http://opt:4", "opt-project", "production")
    assert from_options.sources["project"] == "--project"


def test_the_nearest_updraft_yaml_is_used(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "updraft.yaml").write_text("project: outer\n")
    (tmp_path / "a" / "updraft.yaml").write_text("project: inner\n")
    assert find_project_file(tmp_path / "a" / "b") == tmp_path / "a" / "updraft.yaml"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "none")}
    assert load_settings(cwd=tmp_path / "a" / "b", environ=env).project == "inner"


def test_user_config_path_follows_xdg(tmp_path: Path) -> None:
    assert user_config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == (
        tmp_path / "updraft" / "config.yaml")
    assert user_config_path({}).parts[-3:] == (".config", "updraft", "config.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("endpoint: [1, 2]\n", "'endpoint' should be text"),
        ("- endpoint\n", "expected a mapping"),
        ("endpoint: 'unclosed\n", "cannot read the configuration file"),
        ("project: ''\n", "the project set by"),
    ],
)
def test_a_bad_file_names_itself_and_the_problem(
    tmp_path: Path, text: str, expected: str
) -> None:
    (tmp_path / "updraft.yaml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=tmp_path, environ={"XDG_CONFIG_HOME": str(tmp_path / "none")})
    assert expected in caught.value.message
    assert str(tmp_path / "updraft.yaml") in caught.value.message
    assert caught.value.exit_code == 2
