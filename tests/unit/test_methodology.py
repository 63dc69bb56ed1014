"""The methodology data loads, says what METHODOLOGY.md says, and bad edits are caught."""

import re
import shutil
from pathlib import Path

import pytest

from bot.methodology import CONCEPT_IDS, DEFAULT_DIRECTORY, MethodologyError, load_methodology


def test_visit_flow_has_the_five_customer_perspective_steps_in_order(methodology) -> None:
    assert [step.name for step in methodology.visit_steps] == [
        "建立沟通",
        "创造信任",
        "探访需求",
        "提供方案",
        "促成及异议处理",
    ]
    assert all(step.customer_asks.endswith("?") for step in methodology.visit_steps)


def test_new_time_model_puts_relationship_first(methodology) -> None:
    new = methodology.mindset.time_allocation["new"]
    assert new == {"relationship": 40, "needs": 30, "presentation": 20, "closing": 10}


def test_every_persona_has_what_works_and_what_fails(methodology) -> None:
    assert set(methodology.personas) == {"tiger", "peacock", "owl", "koala"}
    for persona in methodology.personas.values():
        assert persona.do and persona.dont


@pytest.mark.parametrize(
    ("alias", "persona"),
    [
        ("D型", "tiger"),
        ("老虎", "tiger"),
        ("貓頭鷹", "owl"),
        ("和群型", "koala"),
        ("活泼型", "peacock"),
    ],
)
def test_persona_aliases_resolve(methodology, alias: str, persona: str) -> None:
    assert methodology.persona_by_alias(alias).id == persona


def test_unknown_alias_is_none(methodology) -> None:
    assert methodology.persona_by_alias("狮子") is None


def test_high_pressure_closes_are_marked_unsuitable_for_owl_and_koala(methodology) -> None:
    for technique_id in ("close_scarcity", "close_urgency"):
        technique = methodology.closing.techniques[technique_id]
        assert technique.pressure == "high"
        assert {"owl", "koala"} <= set(technique.avoid_personas)


def test_quiz_has_at_least_twenty_answerable_questions(methodology) -> None:
    assert len(methodology.quiz) >= 20
    assert len({question.id for question in methodology.quiz}) == len(methodology.quiz)


def test_every_concept_and_rep_move_is_explained(methodology) -> None:
    assert tuple(methodology.concepts) == CONCEPT_IDS
    assert len(methodology.moves) == 22


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "methodology"
    shutil.copytree(DEFAULT_DIRECTORY, copy)
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("personas.yml", "    dont:", "    never:", "personas.yml: personas -> tiger -> dont"),
        ("funnel.yml", "probability: 10", "probability: 110", "funnel.yml: stages -> 0"),
        ("quiz.yml", 'answer: ["B"]', 'answer: ["E"]', "quiz.yml: questions -> 0 -> answer"),
        ("closing.yml", '["owl", "koala"]', '["owl", "lion"]', "close_scarcity -> avoid_personas"),
        ("mindset.yml", "relationship: 40", "relationship: 45", "mindset.yml: time_allocation"),
        ("concepts.yml", "  funnel:", "  pipeline:", "concepts.yml: concepts"),
        (
            "moves.yml",
            'step: "discovery"',
            'step: "negotiation"',
            "moves.yml: moves -> ask_situation",
        ),
    ],
)
def test_a_broken_file_is_named_with_its_key(
    data_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    _edit(data_copy / file, old, new)
    with pytest.raises(MethodologyError, match=re.escape(message)):
        load_methodology(data_copy)


def test_invalid_yaml_is_reported_by_file_name(data_copy: Path) -> None:
    (data_copy / "spin.yml").write_text("types: [unclosed", encoding="utf-8")
    with pytest.raises(MethodologyError, match=re.escape("spin.yml: not valid YAML")):
        load_methodology(data_copy)


def test_a_missing_file_is_reported(data_copy: Path) -> None:
    (data_copy / "quiz.yml").unlink()
    with pytest.raises(MethodologyError, match=re.escape("quiz.yml: file is missing")):
        load_methodology(data_copy)
