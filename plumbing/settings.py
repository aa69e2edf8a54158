"""Every setting the app reads from its environment: name, default and parser, in one table.

Values come from the defaults, then `.env` (working directory), then the environment, then the
test mapping; each text value is parsed once, at start, and a bad one stops the app in one line.
"""

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from dotenv import dotenv_values
from limits import parse as parse_rate_limit


class Setting(NamedTuple):
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str


def boolean(text: str) -> bool:
    words = {"1": True, "true": True, "yes": True, "on": True}
    words |= {"0": False, "false": False, "no": False, "off": False}
    try:
        return words[text.strip().lower()]
    except KeyError:
        raise ValueError("expected true or false") from None


def whole_number(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text) if text.strip().isdigit() else -1
        if value < minimum:
            raise ValueError(f"expected a whole number of at least {minimum}")
        return value

    return parse


def log_level(text: str) -> str:
    level = text.strip().upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return level


def rate_limit(text: str) -> str:
    try:
        parse_rate_limit(text)
    except ValueError:
        raise ValueError('expected a rate such as "30 per minute"') from None
    return text


def text(value: str) -> str:
    return value


SETTINGS = (
    Setting("SECRET_KEY", None, text, "signs the session cookie; required outside tests"),
    Setting("DATABASE_URL", None, text, "SQLAlchemy URL; default: SQLite in instance/app.db"),
    Setting("LOG_LEVEL", "INFO", log_level, "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    Setting("HTTPS", False, boolean, "served over HTTPS: secure cookie and HSTS"),
    Setting("TRUSTED_PROXIES", 0, whole_number(0), "proxies in front whose X-Forwarded-* count"),
    Setting("SUBMIT_RATE_LIMIT", "30 per minute", rate_limit, "submissions per visitor/address"),
    Setting("RATELIMIT_ENABLED", True, boolean, "apply the rate limits (off in most tests)"),
    Setting("RATELIMIT_STORAGE_URI", "memory://", text, "where rate-limit counts live"),
    Setting("DATABASE_TIMEOUT_MS", 5000, whole_number(1), "longest wait for the database"),
    Setting("UNDO_SECONDS", 30, whole_number(1), "how long a deleted submission can be restored"),
)
NAMES = tuple(setting.name for setting in SETTINGS)
# Settings that were renamed: the old name set is refused, never silently ignored.
RENAMED = {"DATABASE_BUSY_TIMEOUT_MS": "DATABASE_TIMEOUT_MS"}


class SettingError(SystemExit):
    """A setting whose value cannot be used; its message is one line."""


def load(instance_path: str, test_config: dict | None) -> dict[str, Any]:
    """The settings' values, each parsed: defaults < `.env` < environment < `test_config`."""
    env_file = dotenv_values(Path.cwd() / ".env")
    for old, new in RENAMED.items():
        if os.environ.get(old) or env_file.get(old):
            raise SettingError(f"error: {old} is now called {new}: rename it")
    values = {}
    for setting in SETTINGS:
        raw = os.environ.get(setting.name) or env_file.get(setting.name)
        if test_config and setting.name in test_config:
            raw = test_config[setting.name]
        if not isinstance(raw, str) or raw == "":
            values[setting.name] = setting.default if raw in (None, "") else raw
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as error:
            raise SettingError(f"error: {setting.name}={raw!r}: {error} ({setting.help})") from None
    if values["DATABASE_URL"] is None:
        values["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'app.db'}"
    return values
