"""Choose the topic reader's probability floor (bot/language/topics.py MIN_PROBABILITY) on
the trainers' own examples only, by 5-fold cross-validation over topic_examples.yml: the
held-out questions of `make eval` stay unseen.

For each floor: the share of topic questions read as their topic, of other lines read as no
topic, and of topic questions read as another topic (the costly error: the customer answers
something he was not asked).

    .venv/bin/python -m scripts.tune_topics
"""

from __future__ import annotations

import random

from bot.language.topics import NO_TOPIC, TopicReader
from bot.methodology import load_methodology
from bot.methodology.schema import TopicExamples

FLOORS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
FOLDS = 5


def main() -> None:
    examples = load_methodology().topic_examples
    rows = [(text, topic) for topic, lines in examples.topics.items() for text in lines]
    rows += [(text, NO_TOPIC) for text in examples.not_a_topic]
    random.Random(0).shuffle(rows)
    scored: list[tuple[str, str, float]] = []  # truth, best topic, its probability
    for fold in range(FOLDS):
        train = [row for index, row in enumerate(rows) if index % FOLDS != fold]
        test = [row for index, row in enumerate(rows) if index % FOLDS == fold]
        topics: dict[str, list[str]] = {}
        for text, topic in train:
            if topic:
                topics.setdefault(topic, []).append(text)
        reader = TopicReader(
            TopicExamples(topics=topics, not_a_topic=[t for t, topic in train if not topic])
        )
        scored += [(truth, *reader.best(text)) for text, truth in test]
    print(f"{'floor':>6} {'topic right':>12} {'no topic right':>15} {'wrong topic':>12}")
    for floor in FLOORS:
        heard = [(truth, best if p >= floor else NO_TOPIC) for truth, best, p in scored]
        asked = [(t, h) for t, h in heard if t]
        other = [(t, h) for t, h in heard if not t]
        right = sum(t == h for t, h in asked) / len(asked)
        none_right = sum(h == NO_TOPIC for _, h in other) / len(other)
        wrong = sum(h not in (t, NO_TOPIC) for t, h in asked) / len(asked)
        print(f"{floor:6.2f} {right:12.3f} {none_right:15.3f} {wrong:12.3f}")


if __name__ == "__main__":
    main()
