"""How the simulated customer answers, on lines other writers wrote and nobody tuned on.

1. Topic questions (tests/nlu/topic_questions_heldout.yml): which topic each is about, by the
   cue words of topics.yml, the character n-gram classifier learnt from topic_examples.yml,
   and the two together (what the customer uses); then through the customer himself: each
   question, read by the trained NLU model (`make train`) as a live turn would be, asked once
   in a fresh visit (trust already earned, so budget is not held back), counted on topic when
   he answered that topic.
2. Scripted visits (tests/nlu/customer_visits_heldout.yml, a good and a sloppy rep per
   scenario), each played with all four personas: generic non-answers ("go on", "I don't
   follow") over the rep's lines, customer lines repeated within a visit, distinct replies to
   the same line across the four personas (his fillers such as 嗯…… ignored), topic questions
   answered on topic, and how each visit ended.
3. Three rude lines in a row end the visit, for every persona and scenario; gibberish is met
   with "I don't follow" in character.

    .venv/bin/python -m scripts.eval_customer
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable

import yaml

from bot.adapters.nlu_model import NluModel
from bot.language.topics import TopicReader, cue_topic
from bot.methodology import Methodology, load_methodology
from bot.practice.customer import CustomerSimulator, Reaction
from bot.practice.scenarios import load_scenarios
from bot.scoring import start_scorer
from bot.scoring.scorer import Scorer
from bot.scoring.transcript import Turn
from harness.rasa_processes import ROOT, current_model

QUESTIONS = ROOT / "tests" / "nlu" / "topic_questions_heldout.yml"
VISITS = ROOT / "tests" / "nlu" / "customer_visits_heldout.yml"
EARNED_TRUST = 70
GENERIC = frozenset({"go_on", "unclear"})
_PUNCTUATION = re.compile(r"[\s,.!?;:。,!?;:~…、]+")


def main() -> None:
    methodology = load_methodology()
    scenarios = load_scenarios(methodology).scenarios
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    reader = TopicReader(methodology.topic_examples)
    readers = {
        "cue words": lambda text: cue_topic(text, methodology.topics),
        "classifier": reader.topic_of,
        "classifier, then cues": lambda text: reader.topic_or_cue(text, methodology.topics),
    }
    print(f"== qualification topics ({len(questions)} held-out questions, {QUESTIONS.name}) ==")
    for name, read in readers.items():
        right = Counter(q["topic"] for q in questions if read(q["text"]) == q["topic"])
        total = Counter(q["topic"] for q in questions)
        detail = ", ".join(f"{topic} {right[topic]}/{total[topic]}" for topic in total)
        print(f"  {name:22s} {sum(right.values()) / len(questions):.2f}  ({detail})")
    simulator = CustomerSimulator(methodology, scenarios)
    scorer = start_scorer(methodology)
    personas, scenario_ids = list(methodology.personas), list(scenarios)
    answered, model = 0, NluModel.load(current_model())
    for number, question in enumerate(questions):
        scenario, persona = scenario_ids[number % len(scenario_ids)], personas[number % 4]
        session = scorer.start(scenario, persona)
        start = simulator.start(scenario, persona, number)
        start.state.trust = EARNED_TRUST
        session.add(Turn(speaker="customer", text=start.reply))
        heard = model.classify(question["text"])
        turn = Turn(
            speaker="rep",
            text=question["text"],
            move=heard.intent,
            confidence=heard.confidence,
            also=list(heard.also),
        )
        reaction = simulator.react(start.state, session.add(turn))
        answered += question["topic"] in reaction.state.topics_told
    share = answered / len(questions)
    print(f"  answered on topic by the customer (moves from the NLU): {share:.2f}")
    heard_lines: dict[str, Turn] = {}

    def hear(text: str) -> Turn:
        if text not in heard_lines:
            heard = model.classify(text)
            heard_lines[text] = Turn(
                speaker="rep",
                text=text,
                move=heard.intent,
                confidence=heard.confidence,
                also=list(heard.also),
            )
        return heard_lines[text]

    _visits(methodology, simulator, scorer, hear)
    _insults_and_gibberish(methodology, simulator, scorer, hear, list(scenarios))
    model.close()


def _play(
    simulator: CustomerSimulator,
    scorer: Scorer,
    hear: Callable[[str], Turn],
    scenario: str,
    persona: str,
    lines: list[str],
    seed: int,
) -> list[Reaction]:
    """One visit: the customer's reaction to each line, until he ends it."""
    session = scorer.start(scenario, persona)
    start = simulator.start(scenario, persona, seed)
    session.add(Turn(speaker="customer", text=start.reply))
    state, reactions = start.state, []
    for line in lines:
        reaction = simulator.react(state, session.add(hear(line)))
        session.add(Turn(speaker="customer", text=reaction.reply))
        state = reaction.state
        reactions.append(reaction)
        if state.outcome in {"signed", "lost"}:
            break
    return reactions


def _visits(
    methodology: Methodology,
    simulator: CustomerSimulator,
    scorer: Scorer,
    hear: Callable[[str], Turn],
) -> None:
    visits = yaml.safe_load(VISITS.read_text(encoding="utf-8"))["visits"]
    personas = list(methodology.personas)
    fillers = {p: [f for f in v.fact_openers if f] for p, v in methodology.voices.items()}

    def bare(persona: str, reply: str) -> str:
        for filler in fillers[persona]:
            reply = reply.removeprefix(filler)
        return _PUNCTUATION.sub("", reply)

    lines_said = generic = repeated = topic_asked = topic_answered = 0
    distinct: list[int] = []
    generic_by: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for number, visit in enumerate(visits):
        texts = [line["text"] for line in visit["lines"]]
        played = {
            p: _play(simulator, scorer, hear, visit["scenario"], p, texts, number) for p in personas
        }
        for persona, reactions in played.items():
            replies = [r.reply for r in reactions]
            repeated += len(replies) - len(set(replies))
            lines_said += len(reactions)
            for line, reaction in zip(visit["lines"], reactions, strict=False):
                if reaction.situation in GENERIC:
                    generic += 1
                    generic_by[persona] += 1
                if line["kind"] == "topic_question":
                    topic_asked += 1
                    topic_answered += reaction.situation == f"topic:{line['topic']}"
            outcome = reactions[-1].state.outcome if reactions else None
            if outcome in {None, "ended"} and any(r.situation == "next_step_ok" for r in reactions):
                outcome = "next step agreed"
            outcomes[f"{visit['kind']} -> {outcome or 'open'}"] += 1
        shortest = min(len(reactions) for reactions in played.values())
        for index in range(shortest):
            distinct.append(len({bare(p, played[p][index].reply) for p in personas}))
    print(f"== scripted visits ({len(visits)} visits x {len(personas)} personas, {VISITS.name}) ==")
    by_persona = ", ".join(f"{p} {generic_by[p]}" for p in personas)
    print(
        f"  generic non-answers: {generic / lines_said:.3f} ({generic}/{lines_said}; {by_persona})"
    )
    print(f"  customer lines repeated within a visit: {repeated}")
    print(
        f"  distinct replies to the same line across the 4 personas: mean "
        f"{statistics.mean(distinct):.2f} of 4 over {len(distinct)} lines"
    )
    print(
        f"  topic questions answered on topic: {topic_answered / topic_asked:.2f}"
        f" ({topic_answered}/{topic_asked})"
    )
    print("  outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))


def _insults_and_gibberish(
    methodology: Methodology,
    simulator: CustomerSimulator,
    scorer: Scorer,
    hear: Callable[[str], Turn],
    scenarios: list[str],
) -> None:
    data = yaml.safe_load(VISITS.read_text(encoding="utf-8"))
    insults, gibberish = data["insults"], data["gibberish"]
    ended: Counter[str] = Counter()
    runs = 0
    for number, scenario in enumerate(scenarios):
        for persona in methodology.personas:
            start = (number * 3) % len(insults)
            three = [insults[(start + k) % len(insults)] for k in range(3)]
            reactions = _play(simulator, scorer, hear, scenario, persona, three, number)
            runs += 1
            ended[persona] += reactions[-1].state.outcome == "lost"
    caught = sum(
        bool(scorer.start(scenarios[0], "tiger").add(hear(line)).cues.rude) for line in insults
    )
    print(f"== rudeness and gibberish ({VISITS.name}) ==")
    print(f"  rude lines recognised: {caught}/{len(insults)}")
    personas_out = sum(ended[p] == len(scenarios) for p in methodology.personas)
    print(
        f"  three rude lines end the visit: {sum(ended.values())}/{runs} visits; "
        f"{personas_out}/{len(methodology.personas)} personas in every scenario"
    )
    unclear = 0
    for number, line in enumerate(gibberish):
        persona = list(methodology.personas)[number % 4]
        reactions = _play(
            simulator, scorer, hear, scenarios[number % len(scenarios)], persona, [line], number
        )
        unclear += reactions[0].situation == "unclear"
    print(f"  gibberish answered with 'I don't follow' in character: {unclear}/{len(gibberish)}")


if __name__ == "__main__":
    main()
