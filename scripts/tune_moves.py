"""How the clause-move settings (config.yml, MoveSegmenter threshold and C) were chosen,
without touching the held-out sets: the clause model is trained on 80% of data/nlu, and 600
lines are made by joining one to three of the other 20% (rep moves, different ones per line)
with a comma, a full stop, an exclamation mark or a space. Prints precision, recall, F1 and
the share of lines whose set of moves is exactly right, per setting, and for the line's own
intent alone (the model on the whole line).

    .venv/bin/python -m scripts.tune_moves
"""

from __future__ import annotations

import random
import re

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.language.clauses import clauses
from bot.language.text import normalize
from harness.rasa_processes import ROOT

ANNOTATION = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))")


def examples() -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in item.get("examples", "").splitlines() if "intent" in item else []:
                if line.strip().startswith("- "):
                    text = normalize(ANNOTATION.sub(r"\1", line.strip()[2:]))
                    found.append((text, item["intent"]))
    return found


def main() -> None:
    intents = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"]
    rep_moves = set(intents[: intents.index("start_roleplay")])
    rng = random.Random(1)
    data = examples()
    rng.shuffle(data)
    cut = int(len(data) * 0.8)
    train, dev = data[:cut], [(t, i) for t, i in data[cut:] if i in rep_moves]
    lines = []
    for _ in range(600):
        picks: list[tuple[str, str]] = []
        for _ in range(rng.choice([1, 2, 2, 3])):
            text, intent = rng.choice(dev)
            if all(intent != other for _, other in picks):
                picks.append((text.rstrip(".!?,"), intent))
        separator = rng.choice([",", ".", "!", " "])
        lines.append((separator.join(t for t, _ in picks), {i for _, i in picks}))
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True)
    features = vectorizer.fit_transform([t for t, _ in train])
    for c in (3, 10, 30):
        model = LogisticRegression(C=c, max_iter=1000).fit(features, [i for _, i in train])

        def classify(texts: list[str], model=model) -> list[tuple[str, float]]:
            probabilities = model.predict_proba(vectorizer.transform(texts))
            return [(model.classes_[row.argmax()], row.max()) for row in probabilities]

        for threshold in (0.25, 0.3, 0.35, 0.4, 0.5, None):
            tp = fp = fn = exact = 0
            for text, gold in lines:
                found = {classify([text])[0][0]} & rep_moves
                parts = clauses(text)
                if threshold is not None and len(parts) > 1:
                    found |= {m for m, p in classify(parts) if p >= threshold} & rep_moves
                tp, fp, fn = tp + len(found & gold), fp + len(found - gold), fn + len(gold - found)
                exact += found == gold
            precision, recall = tp / (tp + fp), tp / (tp + fn)
            setting = f"threshold {threshold}" if threshold is not None else "line intent only"
            print(
                f"C {c:2d}  {setting:18s} precision {precision:.3f}  recall {recall:.3f}"
                f"  F1 {2 * precision * recall / (precision + recall):.3f}"
                f"  exact set {exact / len(lines):.3f}"
            )


if __name__ == "__main__":
    main()
