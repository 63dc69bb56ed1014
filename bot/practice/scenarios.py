"""Role-play scenarios as data: one YAML file per scenario in `bot/knowledge/scenarios/`.

Trainers add a scenario by adding a file, so each file is validated on its own: a broken file
is reported by name (with the key that is wrong) and skipped, and the other scenarios still
load. References into the methodology (objection types, SPIN moves, decision roles) are
checked too, so a typo cannot silently make a need impossible to reveal.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, conint, constr, validator

from bot.methodology import KNOWLEDGE_DIRECTORY, Methodology, MethodologyError, load_yaml_model
from bot.methodology.schema import StrictModel
from bot.methodology.vocabulary import PersonaId
from bot.scoring.better import Scene, SceneNeed

DEFAULT_DIRECTORY = KNOWLEDGE_DIRECTORY / "scenarios"
SAID_AS_MAX_CHARS = 8
_CLAUSE_MARK = re.compile(r"[,,。、;;!!??…]")
DISCOVERY_QUESTIONS = ("ask_situation", "ask_problem", "ask_implication", "ask_need_payoff")
if TYPE_CHECKING:  # pydantic's constrained types are plain values to a type checker
    PersonaKey = str
    Text = str
    ScenarioId = str
    Count = int
    Trust = int
else:
    Text = constr(strip_whitespace=True, min_length=1)
    ScenarioId = constr(regex=r"^[a-z][a-z0-9_]*$")
    Count = conint(ge=0)
    Trust = conint(ge=0, le=100)
    PersonaKey = PersonaId


class Company(StrictModel):
    name: Text
    profile: Text


class Contact(StrictModel):
    name: Text
    title: Text
    address_as: Text
    # M9 (CUTE): who this person is in the decision.
    decision_role: Literal["economic_buyer", "technical_buyer", "user", "coach"]
    # M9 (DESU): attitude to the project and relation to us.
    attitude: Literal["active", "passive", "resistant"]
    relation: Literal["neutral", "champion", "supporter", "enemy", "blocker"]


class Fact(StrictModel):
    """Something the customer tells when asked a situation question (M4 S)."""

    line: Text


class HiddenNeed(StrictModel):
    """A need the customer only reveals to the right kind of question (M4)."""

    id: Text
    label: Text  # for the trainer and the report: what the need is
    # How the customer names it in a sentence ("喷头老堵这件事", "说到交期"): a short noun
    # phrase; the label, a description ("独一无二,不撞款"), reads garbled there.
    said_as: Text | None = None
    revealed_by: list[Literal[DISCOVERY_QUESTIONS]]  # type: ignore[valid-type]
    line: Text
    implication_line: Text
    payoff_line: Text
    # Words a rep uses when he talks about this need ("停线", "喷头"): a benefit or a question
    # that names them is about this need, not another one.
    keywords: list[Text] = Field(default_factory=list)
    # More he says when asked about the need again, once it is out (never a denial, M4).
    elaboration: list[Text] = Field(default_factory=list)

    @validator("said_as")
    def _said_as_is_a_phrase(cls, said_as: str | None) -> str | None:
        if said_as is not None and (
            len(said_as) > SAID_AS_MAX_CHARS or _CLAUSE_MARK.search(said_as)
        ):
            raise ValueError(
                f"said_as 要写成客户嘴里的一个短说法({SAID_AS_MAX_CHARS} 个字以内,"
                f"不带标点):{said_as!r}"
            )
        return said_as

    @property
    def spoken(self) -> str:
        """The need as the customer names it."""
        return self.said_as or self.label


class Objection(StrictModel):
    """A concern the customer raises (M6): its type, when it surfaces, what he says."""

    type: Text
    surfaces: Literal["proposal", "closing"]
    line: Text
    answered_line: Text


class CloseConditions(StrictModel):
    """What must be true for the customer to accept a close (M7.1)."""

    min_needs_revealed: Count
    requires_confirmation: bool
    min_trust: Trust
    accepted_line: Text
    stall_line: Text


class TopicAnswer(StrictModel):
    """What the customer says when asked about a qualification topic (M9): the same facts in
    several phrasings (a second asking gets another one), and in a persona's own words where
    the scenario gives them."""

    answer: Text
    variants: list[Text] = Field(default_factory=list)
    by_persona: dict[PersonaKey, list[Text]] = Field(default_factory=dict)
    # What he says while he does not trust the rep enough to tell (a guarded topic such as
    # the budget, topics.yml min_trust), where this customer says it his own way; else the
    # general lines of topics.yml.
    held_back: list[Text] = Field(default_factory=list)

    def phrasings(self, persona: str) -> list[str]:
        return [*self.by_persona.get(persona, []), self.answer, *self.variants]


class Stakeholder(StrictModel):
    """Someone else in the customer's decision (M9 CUTE roles), whom the rep can ask about."""

    name: Text
    title: Text
    decision_role: Literal["economic_buyer", "technical_buyer", "user", "coach"]
    # What the contact says about this person when the rep asks about him or her.
    line: Text


class Replies(StrictModel):
    opening: Text
    # The first thing he says, in each persona's manner (M8): a koala does not open with
    # "时间有限,开门见山", a tiger does not offer tea. A persona not listed says `opening`.
    opening_by_persona: dict[PersonaKey, Text] = Field(default_factory=dict)
    greet: list[Text]
    small_talk: list[Text]
    praise: list[Text]
    suggestion: list[Text]
    pitch_too_early: list[Text]
    evidence: list[Text]
    unclear: list[Text]
    next_step: list[Text]
    farewell: list[Text]


class Scenario(StrictModel):
    id: ScenarioId
    name: Text
    seeds: list[str]
    product: Text
    company: Company
    contact: Contact
    facts: list[Fact]
    hidden_needs: list[HiddenNeed]
    objections: list[Objection]
    competitor: Text
    budget: Text
    timing: Text
    close: CloseConditions
    replies: Replies
    # M9: answers to qualification questions, by topic id (bot/knowledge/methodology/topics.yml).
    # Optional: without it budget, timing and competitor above answer their topics, the
    # competitor line the current supplier too, and the decision follows the contact's role.
    topics: dict[str, TopicAnswer] = Field(default_factory=dict)
    # M9: the other people in the decision, by name and title.
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    # A private buyer (a mother ordering wedding jewellery), not a company: his remarks after a
    # fact are the persona's private_tails, never about "our boss" or "the company".
    private_customer: bool = False
    # What a rep may type to choose this scenario ("银行那个", "喷码"), beside its name.
    aliases: list[Text] = Field(default_factory=list)

    def topic_answer(self, topic: str, decision_by_role: Mapping[str, str]) -> str | None:
        """What the customer says about `topic`, from `topics` or the older fields."""
        if topic in self.topics:
            return self.topics[topic].answer
        fallback = {
            "budget": self.budget,
            "timing": self.timing,
            "competitor": self.competitor,
            "current_supplier": self.competitor,
            "decision": decision_by_role.get(self.contact.decision_role),
        }
        return fallback.get(topic)

    @validator("hidden_needs")
    def _needs_are_unique(cls, needs: list[HiddenNeed]) -> list[HiddenNeed]:
        ids = [need.id for need in needs]
        if len(set(ids)) != len(ids) or not ids:
            raise ValueError("need ids must be present and unique")
        return needs


@dataclass
class ScenarioLibrary:
    """The scenarios that loaded, and a message per file that did not."""

    scenarios: dict[str, Scenario] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _reference_errors(methodology: Methodology, scenario: Scenario, name: str) -> list[str]:
    objection_types = {objection.id for objection in methodology.objections.types}
    errors = [
        f"{name}: objections -> {index} -> type: unknown objection type {objection.type!r}"
        for index, objection in enumerate(scenario.objections)
        if objection.type not in objection_types
    ]
    errors += [
        f"{name}: topics -> {topic}: unknown topic (known: {', '.join(methodology.topics.topics)})"
        for topic in scenario.topics
        if topic not in methodology.topics.topics
    ]
    if scenario.close.min_needs_revealed > len(scenario.hidden_needs):
        errors.append(f"{name}: close -> min_needs_revealed: more than the scenario's needs")
    if f"{scenario.id}.yml" != name:
        errors.append(f"{name}: id: must match the file name ({scenario.id}.yml)")
    return errors


def scene_of(scenario: Scenario) -> Scene:
    """What the report's better sentences may use of a scenario (bot/scoring/better.py)."""
    return Scene(
        contact=scenario.contact.address_as,
        # A private buyer has no company to name ("个人客户(……)" is a description).
        company=None if scenario.private_customer else scenario.company.name,
        needs=tuple(
            SceneNeed(need.said_as or need.label, need.label, tuple(need.keywords))
            for need in scenario.hidden_needs
        ),
    )


def scenes_of(scenarios: Mapping[str, Scenario]) -> dict[str, Scene]:
    return {scenario_id: scene_of(scenario) for scenario_id, scenario in scenarios.items()}


def load_scenarios(methodology: Methodology, directory: Path | None = None) -> ScenarioLibrary:
    """Every valid scenario in `directory`; invalid files are listed in `errors`, not raised."""
    library = ScenarioLibrary()
    for path in sorted((directory or DEFAULT_DIRECTORY).glob("*.yml")):
        try:
            scenario = load_yaml_model(path, Scenario)
        except MethodologyError as error:
            library.errors.append(str(error))
            continue
        problems = _reference_errors(methodology, scenario, path.name)
        if problems:
            library.errors.append("\n".join(problems))
        else:
            library.scenarios[scenario.id] = scenario
    return library


def check_scenario_file(
    methodology: Methodology, file_name: str, source: bytes
) -> tuple[Scenario | None, list[str]]:
    """Validate one uploaded scenario file exactly as `load_scenarios` would load it from the
    scenario folder: the scenario, or the problems, one line each, prefixed by the file name."""
    name = Path(file_name).name
    if not name.endswith(".yml"):
        return None, [f"{name}: 文件名必须以 .yml 结尾,并与场景 id 相同(例如 my_scenario.yml)"]
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / name).write_bytes(source)
        library = load_scenarios(methodology, Path(directory))
    if library.errors:
        return None, [line for error in library.errors for line in error.splitlines()]
    (scenario,) = library.scenarios.values()
    return scenario, []
