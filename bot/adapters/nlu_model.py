"""The trained Rasa model's NLU, loaded in-process, for scoring transcripts offline.

Only the CLI and benchmarks need this: in a live role-play Rasa has already classified the
message and the action passes the intent on. Rasa is imported when a model is loaded, not
when this module is, so the rest of `bot` stays usable without Rasa's start-up cost.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from bot.language.intents import Classified, best_intent

MODEL_GLOB = "salescoach-*.tar.gz"
TRAIN_COMMAND = "make train"


class ModelMissingError(FileNotFoundError):
    """No trained model where one was expected; the message says how to train one."""


def find_model(model: Path | None = None, directory: Path = Path("models")) -> Path:
    """`model` if given, else the newest trained model in `directory`."""
    if model is not None:
        if not model.is_file():
            raise ModelMissingError(
                f"找不到模型文件 {model}。请先运行 `{TRAIN_COMMAND}` 训练模型。"
            )
        return model
    candidates = sorted(directory.glob(MODEL_GLOB), key=lambda path: path.stat().st_mtime)
    if not candidates:
        raise ModelMissingError(
            f"{directory}/ 下没有训练好的模型({MODEL_GLOB})。请先运行 `{TRAIN_COMMAND}` 训练模型。"
        )
    return candidates[-1]


class NluModel:
    """Parses sentences with a trained model; one event loop of its own for the async API."""

    def __init__(self, agent: Any, path: Path) -> None:  # a rasa.core.agent.Agent
        self._agent = agent
        self._loop = asyncio.new_event_loop()
        self.path = path

    @classmethod
    def load(cls, path: Path) -> NluModel:
        """Load the model; Rasa's own logs go to stderr at WARNING so stdout stays the report."""
        import structlog

        structlog.configure(
            wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
            logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        )
        logging.getLogger("rasa").setLevel(logging.WARNING)
        from rasa.core.agent import Agent

        return cls(Agent.load(str(path)), path)

    def classify(self, text: str) -> Classified:
        return best_intent(self._loop.run_until_complete(self._agent.parse_message(text)))

    def close(self) -> None:
        self._loop.close()
