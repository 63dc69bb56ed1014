"""Guards on the NLU data itself: enough varied examples, and tests kept out of training."""

import re
from collections import Counter
from pathlib import Path

import yaml

from bot.practice.scenarios import load_scenarios
from tests.nlu.test_nlu_known_sentences import (
    ENGLISH_COMMANDS,
    KNOWN_SENTENCES,
    SHORT_MESSAGES,
    TRADITIONAL_SENTENCES,
)

ROOT = Path(__file__).resolve().parents[2]
MIN_EXAMPLES_PER_INTENT = 25
ANNOTATION = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))")


def _examples(path: Path) -> dict[str, list[str]]:
    examples: dict[str, list[str]] = {}
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        if "intent" in item:
            lines = [
                ANNOTATION.sub(r"\1", line.strip()[2:])
                for line in item["examples"].splitlines()
                if line.strip()
            ]
            examples.setdefault(item["intent"], []).extend(lines)
    return examples


def _training_examples() -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for intent, lines in _examples(path).items():
            merged.setdefault(intent, []).extend(lines)
    return merged


def _domain_intents() -> list[str]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"]


def test_every_domain_intent_has_enough_examples() -> None:
    counts = {intent: len(lines) for intent, lines in _training_examples().items()}
    too_few = {
        i: counts.get(i, 0) for i in _domain_intents() if counts.get(i, 0) < MIN_EXAMPLES_PER_INTENT
    }
    assert not too_few


def test_no_example_is_repeated() -> None:
    every = [line for lines in _training_examples().values() for line in lines]
    repeated = [line for line, n in Counter(every).items() if n > 1]
    assert not repeated


def test_some_examples_are_in_traditional_characters() -> None:
    traditional_marks = set(
        "們這個說會對點麼還來時過國議題產線機價錢專設備與為選覺結練給嗎謝問幫關"
    )
    for intent, lines in _training_examples().items():
        assert any(traditional_marks & set(line) for line in lines), intent


HELD_OUT = ROOT / "tests" / "nlu" / "heldout.yml"
HELD_OUT_LIVE = ROOT / "tests" / "nlu" / "heldout_live.yml"  # the register of a live visit
MULTI_MOVE = ROOT / "tests" / "nlu" / "multimove_heldout.yml"  # lines with several moves
CONTEXT = ROOT / "tests" / "nlu" / "context_heldout.yml"  # a customer line, the rep's reply
PUNCTUATION = re.compile(r"[\s,。!?、;:,.!?;:…~~\-—'\"“”‘’()()]+")


def _bare(line: str) -> str:
    """A line without spaces, punctuation or case: a copy that only moved a comma leaks too."""
    return PUNCTUATION.sub("", line).lower()


def _multi_move_lines() -> list[dict]:
    return yaml.safe_load(MULTI_MOVE.read_text(encoding="utf-8"))["lines"]


def test_held_out_and_test_sentences_are_never_trained_on() -> None:
    training = {line for lines in _training_examples().values() for line in lines}
    bare_training = {_bare(line) for line in training}
    held_out = [
        line
        for path in (HELD_OUT, HELD_OUT_LIVE)
        for lines in _examples(path).values()
        for line in lines
    ] + [item["text"] for item in _multi_move_lines()]
    held_out += [pair["rep"] for pair in yaml.safe_load(CONTEXT.read_text("utf-8"))["pairs"]]
    # Short answers (OK, 选C) are bound to recur; a longer line only moved a comma.
    leaked = [
        line
        for line in held_out
        if line in training or (len(_bare(line)) >= 8 and _bare(line) in bare_training)
    ]
    tested = [
        text
        for text, _ in KNOWN_SENTENCES + TRADITIONAL_SENTENCES + SHORT_MESSAGES + ENGLISH_COMMANDS
        if text in training
    ]
    assert not leaked
    assert not tested


def test_held_out_set_covers_every_intent() -> None:
    assert set(_examples(HELD_OUT)) == set(_domain_intents())


def test_live_held_out_sets_cover_every_rep_move() -> None:
    intents = _domain_intents()
    rep_moves = set(intents[: intents.index("start_roleplay")])
    live = _examples(HELD_OUT_LIVE)
    assert rep_moves <= set(live) <= set(intents)
    assert all(len(live[move]) >= 10 for move in rep_moves)
    multi = _multi_move_lines()
    assert {move for item in multi for move in item["moves"]} == rep_moves
    assert sum(len(item["moves"]) > 1 for item in multi) >= 80


def _entity_tables() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(surface form, lower-cased -> canonical value) and (entity -> lookup forms in order)."""
    items = yaml.safe_load((ROOT / "data" / "nlu" / "entities.yml").read_text(encoding="utf-8"))
    synonyms, lookups = {}, {}
    for item in items["nlu"]:
        forms = [line.strip()[2:] for line in item["examples"].splitlines() if line.strip()]
        if "synonym" in item:
            synonyms.update({form.lower(): item["synonym"] for form in forms})
        if "lookup" in item:
            lookups[item["lookup"]] = forms
    return synonyms, lookups


def test_every_looked_up_name_resolves_to_a_known_id(methodology) -> None:
    """A form found in a message becomes a persona, scenario or concept the bot knows;
    anything else would reach the actions as raw text and be ignored."""
    known = {
        "persona": set(methodology.personas),
        "scenario": set(load_scenarios(methodology).scenarios),
        "concept": set(methodology.concepts),
    }
    synonyms, lookups = _entity_tables()
    assert set(lookups) == set(known)
    unresolved = [
        (entity, form)
        for entity, forms in lookups.items()
        for form in forms
        if synonyms.get(form.lower()) not in known[entity]
    ]
    assert not unresolved
    looked_up = {form.lower() for forms in lookups.values() for form in forms}
    assert not set(synonyms) - looked_up, "every synonym is also looked up"


def test_longer_names_come_before_the_names_they_contain() -> None:
    """The extractor's alternation stops at the first form that matches: 老虎 listed before
    老虎型客户 would cut the match short (and 专线 before 电信专线 lose 电信)."""
    _, lookups = _entity_tables()
    shadowed = [
        (entity, short, long)
        for entity, forms in lookups.items()
        for i, short in enumerate(forms)
        for long in forms[i + 1 :]
        if short.lower() in long.lower()
    ]
    assert not shadowed


def test_context_pairs_name_real_moves_and_their_context() -> None:
    pairs = yaml.safe_load(CONTEXT.read_text(encoding="utf-8"))["pairs"]
    assert {pair["move"] for pair in pairs} <= set(_domain_intents())
    assert all(isinstance(pair["after_objection"], bool) for pair in pairs)
    assert sum(pair["after_objection"] for pair in pairs) >= 50
