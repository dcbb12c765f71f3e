"""``paraminit check --show-settings``: the settings that govern one path, as resolved."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ruff_like_rules.workspace.config import Resolver


def describe(resolver: Resolver, given: str) -> str:
    """Which file the settings come from, every setting, and the rules that run."""
    path = resolver.cwd / given
    config = resolver.config_for(path if path.is_dir() else path.parent)
    settings = resolver.settings_for(path)
    lines = [f"Resolved settings for: {path}", f"Settings path: {config.source or '(none: the defaults)'}", ""]
    for field in dataclasses.fields(config):
        if field.name in ("source",):
            continue
        lines.append(f"{field.name.replace('_', '-')} = {_show(getattr(config, field.name))}")
    lines.append(f"preview (in effect) = {_show(resolver.preview(config))}")
    lines.append(f"rules (enabled) = {_show([rule.code for rule in settings.rules])}")
    lines.append(f"unfixable (in effect) = {_show(sorted(settings.unfixable))}")
    lines.append(f"ignore-noqa = {_show(settings.ignore_noqa)}")
    return "\n".join(lines) + "\n"


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(unset)"
    if isinstance(value, Path):
        return f'"{value}"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if dataclasses.is_dataclass(value):
        return "{" + ", ".join(f"{f.name} = {_show(getattr(value, f.name))}" for f in dataclasses.fields(value)) + "}"
    return f'"{value}"' if isinstance(value, str) else str(value)
