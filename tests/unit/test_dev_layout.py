"""The dev-only code keeps to its places: tests and benchmarks share `harness/` and never
import each other (nor do tests import the build scripts), and a test's folder says what it
needs: nothing under tests/unit needs the trained model or a server, so `make unit` stays fast,
and every end-to-end and browser test is marked slow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.unit.test_layers import ROOT, _imports, _modules, _top

# What a test needs the trained model or running servers for (tests/conftest.py).
SLOW_FIXTURES = {
    "trained_model",
    "nlu_model",
    "rasa_server",
    "roleplay_server",
    "servers_on_each_backend",
}
# The harness runs the model's fingerprint to find the trained model; nothing else of scripts.
HARNESS_MAY_IMPORT_FROM_SCRIPTS = {"scripts.fingerprint"}


def _ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _wrong(path: Path, packages: set[str]) -> set[str]:
    return {name for name in _imports(path) if _top(name) in packages}


@pytest.mark.parametrize("path", _modules("tests"), ids=_ids)
def test_tests_import_neither_scripts_nor_benchmarks(path: Path) -> None:
    wrong = _wrong(path, {"scripts", "benchmarks"})
    assert not wrong, f"{_ids(path)} imports {sorted(wrong)}: share it through harness/"


@pytest.mark.parametrize("path", _modules("scripts", "benchmarks"), ids=_ids)
def test_scripts_and_benchmarks_never_import_tests(path: Path) -> None:
    wrong = _wrong(path, {"tests"})
    assert not wrong, f"{_ids(path)} imports {sorted(wrong)}: share it through harness/"


@pytest.mark.parametrize("path", _modules("harness"), ids=_ids)
def test_the_harness_imports_neither_tests_nor_benchmarks(path: Path) -> None:
    wrong = _wrong(path, {"tests", "benchmarks"}) | (
        _wrong(path, {"scripts"}) - HARNESS_MAY_IMPORT_FROM_SCRIPTS
    )
    assert not wrong, f"{_ids(path)} imports {sorted(wrong)}"


def test_the_import_check_sees_a_violation(tmp_path: Path) -> None:
    module = tmp_path / "bench.py"
    module.write_text("def f():\n    from tests.support.web import sign_in\n", encoding="utf-8")
    assert _wrong(module, {"tests"}) == {"tests.support.web"}


def _is_slow_marker(node: ast.AST) -> bool:
    """`pytest.mark.slow` (or `mark.slow`), bare or in a list."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "slow"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "mark"
    )


def _slow_parts(path: Path) -> set[str]:
    """Slow markers and the fixtures that need the model or a server, in a test module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if _is_slow_marker(node):
            found.add("pytest.mark.slow")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found |= {arg.arg for arg in node.args.args} & SLOW_FIXTURES
    return found


def _marked_slow_as_a_whole(path: Path) -> bool:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        ):
            values = node.value.elts if isinstance(node.value, ast.List) else [node.value]
            return any(_is_slow_marker(value) for value in values)
    return False


def _test_modules(place: str) -> list[Path]:
    return sorted((ROOT / place).glob("test_*.py"))


@pytest.mark.parametrize("path", _test_modules("tests/unit"), ids=_ids)
def test_unit_tests_need_no_model_and_no_server(path: Path) -> None:
    slow = _slow_parts(path)
    assert not slow, f"{_ids(path)} uses {sorted(slow)}: it belongs outside tests/unit"


@pytest.mark.parametrize(
    "path", _test_modules("tests/e2e") + _test_modules("tests/browser"), ids=_ids
)
def test_end_to_end_and_browser_tests_are_marked_slow(path: Path) -> None:
    assert _marked_slow_as_a_whole(path), f"{_ids(path)} needs `pytestmark = pytest.mark.slow`"


def test_the_layout_check_sees_a_slow_test() -> None:
    assert "rasa_server" in _slow_parts(ROOT / "tests/nlu/test_nlu_known_sentences.py")
    assert _marked_slow_as_a_whole(ROOT / "tests/e2e/test_conversation.py")
