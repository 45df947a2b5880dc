"""Round-trip YAML (comments, order, quoting kept) with errors that name the file and line."""

from __future__ import annotations

import io
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from maia_tui.core.atomic import write_atomic
from maia_tui.core.errors import ConfigError


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def key_line(mapping: Any, key: Any) -> int | None:
    """The 1-based line of `key` in a round-trip mapping, when ruamel recorded it."""
    lc = getattr(mapping, "lc", None)
    if lc is None:
        return None
    try:
        return int(lc.key(key)[0]) + 1
    except (KeyError, TypeError, AttributeError):
        return None


def parse_yaml(text: str, *, source: str) -> Any:
    """Parse YAML text; a syntax error becomes a ConfigError naming `source` and the line."""
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise ConfigError(problem, path=source, line=line) from None
    except YAMLError as exc:
        raise ConfigError(f"invalid YAML ({type(exc).__name__})", path=source) from None


class YamlDocument:
    """A YAML file loaded for editing: change `data`, then `save()` writes it back atomically."""

    def __init__(self, path: Path, data: Any, text: str) -> None:
        self.path = path
        self.data = data
        self.original_text = text

    @classmethod
    def load(cls, path: Path) -> YamlDocument:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError("file not found", path=str(path)) from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"is not UTF-8 text (byte {exc.start})", path=str(path)) from None
        except OSError as exc:
            raise ConfigError(f"cannot be read: {exc.strerror or exc}", path=str(path)) from None
        return cls(Path(path), parse_yaml(text, source=str(path)), text)

    @classmethod
    def load_or_new(cls, path: Path) -> YamlDocument:
        if Path(path).exists():
            doc = cls.load(path)
            if doc.data is None:
                doc.data = CommentedMap()
            return doc
        return cls(Path(path), CommentedMap(), "")

    def ensure_mapping(self, key: str) -> Any:
        """The mapping under `key` at the top level, created when missing."""
        if not isinstance(self.data, MutableMapping):
            raise ConfigError("the top level must be a mapping", path=str(self.path), line=1)
        if not isinstance(self.data.get(key), MutableMapping):
            self.data[key] = CommentedMap()
        return self.data[key]

    def dumps(self) -> str:
        buffer = io.StringIO()
        _yaml().dump(self.data, buffer)
        return buffer.getvalue()

    def save(self) -> None:
        write_atomic(self.path, self.dumps().encode("utf-8"))


def load_yaml(path: Path) -> YamlDocument:
    """Load a YAML file for reading or editing (see YamlDocument)."""
    return YamlDocument.load(path)
