"""Print a short hash of everything a trained model depends on.

`make train` names the model after this hash, so a model is retrained exactly when the
training data, the domain, the pipeline or the custom NLU code changed, and a second
`make run` starts at once. Only the standard library is used: it runs before .venv exists.
"""

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = [
    "config.yml",
    "domain.yml",
    "data",
    "components",
    "bot/language/text.py",
    "bot/language/quantities.py",
    "bot/knowledge/dictionary",
]


def fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            relative = file.relative_to(root).as_posix()
            if file.suffix == ".pyc" or not file.exists():
                continue
            digest.update(relative.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


if __name__ == "__main__":
    sys.stdout.write(fingerprint() + "\n")
