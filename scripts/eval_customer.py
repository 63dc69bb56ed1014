"""How well the simulated customer hears qualification questions (M9), on questions another
writer wrote and nobody tuned on (tests/nlu/topic_questions_heldout.yml).

1. Which topic each question is about, by three readers: the cue words of topics.yml, the
   character n-gram classifier learnt from topic_examples.yml, and the two together (the
   classifier, then the cues), which is what the customer uses.
2. Through the customer himself: each question, read by the trained NLU model (`make train`)
   as a live turn would be, asked once in a fresh visit (scenarios and personas in turn, trust
   already earned, so budget is not held back), counted on topic when the customer answered
   that topic.

    .venv/bin/python -m scripts.eval_customer
"""

from __future__ import annotations

from collections import Counter

import yaml

from bot.adapters.nlu_model import NluModel
from bot.language.topics import TopicReader, cue_topic
from bot.methodology import load_methodology
from bot.practice.customer import CustomerSimulator
from bot.practice.scenarios import load_scenarios
from bot.scoring import start_scorer
from bot.scoring.transcript import Turn
from harness.rasa_processes import ROOT, current_model

QUESTIONS = ROOT / "tests" / "nlu" / "topic_questions_heldout.yml"
EARNED_TRUST = 70


def main() -> None:
    methodology = load_methodology()
    scenarios = load_scenarios(methodology).scenarios
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    reader = TopicReader(methodology.topic_examples)
    readers = {
        "cue words": lambda text: cue_topic(text, methodology.topics),
        "classifier": reader.topic_of,
        "classifier, then cues": lambda text: (
            reader.topic_of(text) or cue_topic(text, methodology.topics)
        ),
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
    model.close()
    share = answered / len(questions)
    print(f"  answered on topic by the customer (moves from the NLU): {share:.2f}")


if __name__ == "__main__":
    main()
