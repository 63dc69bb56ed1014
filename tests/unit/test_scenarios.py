"""Scenario files load, and a trainer's broken file is reported by name while the rest load."""

import shutil
from pathlib import Path

import pytest

from bot.practice.scenarios import DEFAULT_DIRECTORY, load_scenarios

BUILT_IN = {
    "inkjet_factory",
    "telecom_lines",
    "corporate_banking",
    "software_integration",
    "luxury_jewellery",
}


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    target = tmp_path / "scenarios"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def test_the_five_built_in_scenarios_load(methodology) -> None:
    library = load_scenarios(methodology)
    assert library.errors == []
    assert set(library.scenarios) == BUILT_IN
    for scenario in library.scenarios.values():
        assert len(scenario.hidden_needs) >= 2
        assert scenario.objections
        assert scenario.close.min_needs_revealed <= len(scenario.hidden_needs)


def test_software_project_involves_several_decision_roles(methodology) -> None:
    scenario = load_scenarios(methodology).scenarios["software_integration"]
    said = " ".join(fact.line for fact in scenario.facts)
    assert "总经理" in said and "财务" in said


def test_a_broken_file_is_named_and_skipped(methodology, scenario_dir: Path) -> None:
    (scenario_dir / "hospital.yml").write_text("id: hospital\nname: [unclosed\n", encoding="utf-8")
    library = load_scenarios(methodology, scenario_dir)
    assert set(library.scenarios) == BUILT_IN
    assert len(library.errors) == 1
    assert library.errors[0].startswith("hospital.yml")


def test_a_missing_key_is_named(methodology, scenario_dir: Path) -> None:
    text = (scenario_dir / "telecom_lines.yml").read_text(encoding="utf-8")
    (scenario_dir / "telecom_lines.yml").write_text(
        text.replace("  min_trust: 55\n", ""), encoding="utf-8"
    )
    library = load_scenarios(methodology, scenario_dir)
    assert "telecom_lines" not in library.scenarios
    assert "telecom_lines.yml: close -> min_trust: field required" in library.errors[0]


def test_unknown_objection_type_and_wrong_id_are_caught(methodology, scenario_dir: Path) -> None:
    path = scenario_dir / "inkjet_factory.yml"
    text = path.read_text(encoding="utf-8").replace("type: price", "type: weather")
    (scenario_dir / "inkjet_copy.yml").write_text(text, encoding="utf-8")
    library = load_scenarios(methodology, scenario_dir)
    assert "inkjet_copy" not in library.scenarios
    message = library.errors[0]
    assert "unknown objection type 'weather'" in message
    assert "must match the file name" in message


def test_a_need_said_as_a_description_is_refused(methodology, scenario_dir: Path) -> None:
    path = scenario_dir / "luxury_jewellery.yml"
    text = path.read_text(encoding="utf-8").replace("said_as: 不撞款", "said_as: 独一无二,不撞款")
    path.write_text(text, encoding="utf-8")
    library = load_scenarios(methodology, scenario_dir)
    assert "luxury_jewellery" not in library.scenarios
    assert "said_as" in library.errors[0] and "独一无二,不撞款" in library.errors[0]


def test_the_customer_names_his_needs_in_his_own_words(methodology) -> None:
    for scenario in load_scenarios(methodology).scenarios.values():
        for need in scenario.hidden_needs:
            assert "," not in need.spoken and "、" not in need.spoken, (scenario.id, need.id)


def test_each_persona_opens_the_visit_in_its_own_manner(methodology) -> None:
    for scenario in load_scenarios(methodology).scenarios.values():
        openings = {scenario.replies.opening_by_persona.get(p, "") for p in methodology.personas}
        assert len(openings) == 4 and "" not in openings, scenario.id
