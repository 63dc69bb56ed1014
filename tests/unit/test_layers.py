"""The layers in the tree hold: the domain knows nothing of Rasa, databases or HTTP, adapters
never reach up into the entry points, and `actions/` only translates for `bot/`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ["bot/language", "bot/methodology", "bot/scoring", "bot/practice", "bot/clock.py"]
# The entry points, and the dev-only code: scripts, tests, benchmarks and their shared harness.
ENTRY_POINTS = {
    "actions",
    "channels",
    "webapp",
    "components",
    "scripts",
    "tests",
    "harness",
    "benchmarks",
}
OUTSIDE_WORLD = {
    "rasa",
    "rasa_sdk",
    "sqlalchemy",
    "alembic",
    "sanic",
    "aiohttp",
    "flask",
    "requests",
    "psycopg2",
    "cryptography",
    "defusedxml",
}


def _modules(*places: str) -> list[Path]:
    files: list[Path] = []
    for place in places:
        path = ROOT / place
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of the file (lazy imports count too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("path", _modules(*DOMAIN), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_imports_no_adapter_framework_or_entry_point(path: Path) -> None:
    wrong = {
        name
        for name in _imports(path)
        if name.startswith("bot.adapters")
        or _top(name) in OUTSIDE_WORLD
        or _top(name) in ENTRY_POINTS
        or name == "bot.cli"
    }
    assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


@pytest.mark.parametrize("path", _modules("bot/adapters"), ids=lambda p: str(p.relative_to(ROOT)))
def test_adapters_never_reach_into_the_entry_points(path: Path) -> None:
    wrong = {name for name in _imports(path) if _top(name) in ENTRY_POINTS or name == "bot.cli"}
    assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_the_layer_check_sees_a_violation() -> None:
    """The check itself would notice a domain module importing the database."""
    assert any(name.startswith("bot.adapters") for name in _imports(ROOT / "bot/cli.py"))
