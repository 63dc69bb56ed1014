"""Which topic (M9 qualification: budget, timing, competitor, decision, current supplier,
and the customer's company, himself, service, payment, worries, criteria, view of us, past
attempts; topics.yml) a rep's line asks about.

Two readers, compared on held-out questions by another writer (`make eval`, the customer
part): cue words from topics.yml alone, and a character n-gram classifier learnt from
topic_examples.yml, where trainers add ways reps ask. The classifier is what the customer
uses; a line the classifier puts in no topic, or below `MIN_PROBABILITY`, has none.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.language.text import normalize
from bot.methodology.schema import TopicExamples, Topics

NO_TOPIC = ""
# Chosen by 5-fold cross-validation over topic_examples.yml alone (scripts/tune_topics.py,
# 13 topics): at C 100 and a floor of 0.3, 0.68 of topic questions are read as their topic,
# 0.85 of other lines as none, and 0.09 as another topic (C 10 at 0.5: 0.29 / 0.95 / 0.01).
MIN_PROBABILITY = 0.3
# Above this probability of "no topic" the cue words are not asked (a question about how
# things work or what a problem costs often holds a topic's word).
NO_TOPIC_SURE = 0.6
C = 100


def cue_topic(text: str, topics: Topics) -> str | None:
    """The topic whose cue word comes last in the line (the question word ends a Chinese
    question: "预算这块……大概什么时候要定下来?" asks about timing), or None."""
    folded = normalize(text).lower()
    best: tuple[int, int, str] | None = None  # (end of the cue, its length, topic)
    for topic_id, topic in topics.topics.items():
        for cue in topic.cues:
            found = folded.rfind(normalize(cue).lower())
            if found >= 0:
                candidate = (found + len(cue), len(cue), topic_id)
                best = max(best, candidate) if best else candidate
    return best[2] if best else None


class TopicReader:
    """The character n-gram classifier over the trainers' examples; built once at start-up."""

    def __init__(self, examples: TopicExamples) -> None:
        texts, labels = [], []
        for topic, lines in examples.topics.items():
            texts += lines
            labels += [topic] * len(lines)
        texts += examples.not_a_topic
        labels += [NO_TOPIC] * len(examples.not_a_topic)
        self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        features = self._vectorizer.fit_transform([normalize(text).lower() for text in texts])
        self._model = LogisticRegression(C=C, max_iter=3000).fit(features, labels)

    def best(self, text: str) -> tuple[str, float]:
        """The likeliest reading (a topic, or NO_TOPIC) and its probability."""
        features = self._vectorizer.transform([normalize(text).lower()])
        probabilities = self._model.predict_proba(features)[0]
        best = int(probabilities.argmax())
        return str(self._model.classes_[best]), float(probabilities[best])

    def topic_of(self, text: str) -> str | None:
        topic, probability = self.best(text)
        return topic if topic != NO_TOPIC and probability >= MIN_PROBABILITY else None

    def topic_or_cue(self, text: str, topics: Topics) -> str | None:
        """The classifier's topic; failing that the cue words', unless the classifier is sure
        the line asks no topic: "有没有哪家子公司账上趴着闲钱?" names 子公司 (a cue of the
        company) and asks about a problem, and the customer's company profile is no answer."""
        topic, probability = self.best(text)
        if topic != NO_TOPIC and probability >= MIN_PROBABILITY:
            return topic
        if topic == NO_TOPIC and probability >= NO_TOPIC_SURE:
            return None
        return cue_topic(text, topics)


_SHARED: dict[int, tuple[TopicExamples, TopicReader]] = {}


def shared_reader(examples: TopicExamples) -> TopicReader:
    """One reader per examples object, for everyone in the process: learning it takes seconds
    (C 100 over every example), and the customer and the scorer read the same topics."""
    kept = _SHARED.get(id(examples))
    if kept is None or kept[0] is not examples:
        kept = (examples, TopicReader(examples))
        _SHARED[id(examples)] = kept
    return kept[1]
