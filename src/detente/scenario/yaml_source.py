"""Safe YAML loading that remembers where every value came from (file and line).

Errors in a scenario must name the file, the line and the field; pydantic knows the field path,
and this module maps paths back to lines. Only `yaml.SafeLoader` is ever used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from detente.errors import InputError

Path_ = tuple[str | int, ...]


@dataclass
class Located:
    """A parsed YAML document with, for each field path, the (file, line) that set it."""

    data: Any
    lines: dict[Path_, tuple[str, int]] = field(default_factory=dict)

    def where(self, path: Path_) -> tuple[str | None, int | None]:
        """Return the file and line of the longest prefix of `path` that a file set."""
        for n in range(len(path), -1, -1):
            hit = self.lines.get(tuple(path[:n]))
            if hit:
                return hit
        return None, None


SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")}


MAX_DEPTH = 64
MAX_NODES = 200_000  # a scenario has a few thousand values; aliases must not expand it without bound


class _Budget:
    """Counts the values read so far, so that aliases cannot expand a small file into a huge one."""

    def __init__(self) -> None:
        self.left = MAX_NODES


def _walk(node: yaml.Node, path: Path_, file: str, lines: dict[Path_, tuple[str, int]],
          open_nodes: frozenset[int] = frozenset(), budget: _Budget | None = None) -> Any:
    budget = budget or _Budget()
    budget.left -= 1
    if budget.left < 0:
        raise InputError.single(file, f"expands to more than {MAX_NODES:,} values (aliases repeated?)",
                                line=node.start_mark.line + 1, field=".".join(map(str, path[:8])),
                                hint="write the values out; a scenario is a few thousand values at most")
    lines[path] = (file, node.start_mark.line + 1)
    if id(node) in open_nodes:
        raise InputError.single(file, "an alias refers to a node that contains it (a cycle)",
                                line=node.start_mark.line + 1, field=".".join(map(str, path)),
                                hint="remove the self-referencing anchor/alias")
    if len(path) > MAX_DEPTH:
        raise InputError.single(file, f"nested deeper than {MAX_DEPTH} levels", line=node.start_mark.line + 1,
                                field=".".join(map(str, path[:8])) + " …", hint="a scenario is a few levels deep")
    open_nodes = open_nodes | {id(node)}
    if node.tag not in SAFE_TAGS:
        raise InputError.single(file, f"unsupported YAML value: tag {node.tag} is not allowed in a scenario",
                                line=node.start_mark.line + 1, field=".".join(map(str, path)),
                                hint="write plain values (numbers, text, lists, mappings)")
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = SafeConstruct.scalar(key_node)
            if not isinstance(key, (str, int, float, bool)) or isinstance(key, bool):
                raise InputError.single(file, "mapping keys must be plain names", line=key_node.start_mark.line + 1,
                                        field=".".join(map(str, path)), value=key)
            key = str(key)
            if key in out:
                raise InputError.single(file, f"key '{key}' appears twice", line=key_node.start_mark.line + 1,
                                        field=".".join(map(str, path + (key,))), hint="keep one of the two entries")
            out[key] = _walk(value_node, path + (key,), file, lines, open_nodes, budget)
            lines[path + (key,)] = (file, key_node.start_mark.line + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, path + (i,), file, lines, open_nodes, budget) for i, item in enumerate(node.value)]
    return SafeConstruct.scalar(node)


class SafeConstruct:
    """Turn scalar nodes into Python values with the safe loader's own rules (no arbitrary tags)."""

    _loader = yaml.SafeLoader("")

    @classmethod
    def scalar(cls, node: yaml.Node) -> Any:
        """Construct one scalar node safely; anchors and aliases are resolved by the composer."""
        if not isinstance(node, yaml.ScalarNode):
            return None
        return cls._loader.construct_object(node, deep=True)


def _compose(text: str) -> yaml.Node | None:
    """The node tree, by libyaml where PyYAML has it (ten times faster); a text it refuses is composed again
    by the pure-Python loader, whose errors say what is wrong and where."""
    fast = getattr(yaml, "CSafeLoader", None)  # libyaml refuses nesting deeper than 1,000: its recursion is bounded
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except (yaml.YAMLError, RecursionError):
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def load_yaml(path: Path) -> Located:
    """Read a YAML file safely; any problem becomes an InputError naming the file and line."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError.single(file, "no such file", hint="check the path; scenarios live under scenarios/") from None
    except IsADirectoryError:
        raise InputError.single(file, "is a directory, not a scenario file") from None
    except OSError as error:
        raise InputError.single(file, f"cannot be read: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError.single(file, "is not UTF-8 text (is it a scenario file?)", line=line,
                                hint="save the file as UTF-8 YAML") from None
    if "\x00" in text:
        raise InputError.single(file, "contains NUL bytes: not a YAML text file", line=text[: text.index("\x00")].count("\n") + 1)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise InputError.single(file, f"malformed YAML: {error.problem or error.context}", line=line,
                                hint="check indentation, brackets and quotes on or just before this line") from None
    except yaml.reader.ReaderError as error:  # a control character YAML does not allow
        line = text[: error.position].count("\n") + 1 if error.position is not None else None
        raise InputError.single(file, "malformed YAML: control character "
                                f"#x{error.character if isinstance(error.character, int) else ord(error.character):04x}"
                                " is not allowed in YAML text",
                                line=line, hint="remove the control character (is this a text file?)") from None
    except yaml.YAMLError as error:
        raise InputError.single(file, f"malformed YAML: {error}") from None
    except RecursionError:
        raise InputError.single(file, "nested too deeply to read", hint="a scenario is a few levels deep") from None
    if node is None:
        raise InputError.single(file, "has no YAML content (empty, or only comments)", line=1,
                                hint="a scenario needs at least `schema_version` and `extends` or a full model")
    lines: dict[Path_, tuple[str, int]] = {}
    try:
        data = _walk(node, (), file, lines)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        raise InputError.single(file, f"unsupported YAML value: {error.problem}", line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise InputError.single(file, "must be a mapping of fields (name: value) at the top level", line=1,
                                value=type(data).__name__)
    return Located(data, lines)
