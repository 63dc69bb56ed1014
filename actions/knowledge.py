"""The action server's single, lazily opened copy of the methodology data.

Loaded on the first action call rather than at import, so importing the actions package
(as `rasa run actions` does) never reads files, and a broken data file is reported in the
action server's log with the file and key that are wrong.
"""

from functools import lru_cache

from bot.methodology import Methodology, load_methodology


@lru_cache(maxsize=1)
def methodology() -> Methodology:
    return load_methodology()
