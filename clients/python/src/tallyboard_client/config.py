"""The CLI's profiles: $XDG_CONFIG_HOME/tallyboard/config.toml (mode 0600); env vars win."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PROFILE = "default"


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tallyboard" / "config.toml"


def load() -> dict[str, Any]:
    import tomllib

    path = config_path()
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def save(data: dict[str, Any]) -> Path:
    """Write the file readable by its owner only (it holds keys), never world-readable even briefly."""
    import tomli_w

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        tomli_w.dump(data, handle)
    os.chmod(path, 0o600)  # a file that existed keeps its old mode through os.open
    return path


@dataclass
class Settings:
    profile: str
    api_key: str | None
    base_url: str | None
    project_id: str | None
    sources: dict[str, str]  # setting -> where it came from (env, profile, flag)


def resolve(profile: str | None = None, project_id: str | None = None) -> Settings:
    """Flags, then TALLYBOARD_* env vars, then the profile."""
    data = load()
    name = profile or os.environ.get("TALLYBOARD_PROFILE") or data.get("default_profile") or DEFAULT_PROFILE
    stored = (data.get("profiles") or {}).get(name) or {}
    values: dict[str, str | None] = {}
    sources: dict[str, str] = {}
    for setting, env, flag in (
        ("api_key", "TALLYBOARD_API_KEY", None),
        ("base_url", "TALLYBOARD_BASE_URL", None),
        ("project_id", "TALLYBOARD_PROJECT_ID", project_id),
    ):
        if flag:
            values[setting], sources[setting] = flag, "flag"
        elif os.environ.get(env):
            values[setting], sources[setting] = os.environ[env], env
        elif stored.get(setting):
            values[setting], sources[setting] = stored[setting], f"profile {name}"
        else:
            values[setting] = None
    return Settings(name, values["api_key"], values["base_url"], values["project_id"], sources)


def store_profile(name: str, api_key: str, base_url: str, project_id: str | None) -> Path:
    data = load()
    profiles = data.setdefault("profiles", {})
    entry = {"api_key": api_key, "base_url": base_url}
    if project_id:
        entry["project_id"] = project_id
    profiles[name] = entry
    data.setdefault("default_profile", name)
    return save(data)
