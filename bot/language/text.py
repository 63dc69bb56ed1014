"""Normalise what reps type before anything reads it.

Reps write simplified or traditional characters (seeds 001 and 003 are traditional) and mix
full-width and half-width punctuation. The NLU pipeline and the scorer both see text through
`normalize`, so a sentence scores the same whichever way it was typed.

The result always has the same length as the input: Rasa keeps entity offsets into the
original text, so a conversion that would change the length is done character by character.
"""

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

# Punctuation that NFKC leaves alone but that should compare equal to its ASCII form.
_PUNCTUATION = str.maketrans(
    {
        "。": ".",
        "、": ",",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "【": "[",
        "】": "]",
        "〜": "~",
        "　": " ",
    }
)


# Lone UTF-16 surrogates (a JSON "\ud800" decodes to one) cannot be encoded, and the C0/C1
# controls other than tab and newline carry nothing a rep meant to say.
_UNPRINTABLE = re.compile("[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """What a channel passes on: `text` without characters that cannot be stored or shown,
    trimmed. Never raises, whatever a client sent."""
    return _UNPRINTABLE.sub("", text).strip()


@lru_cache(maxsize=1)
def _traditional_to_simplified() -> OpenCC:
    """The converter loads its dictionaries once, on first use rather than at import."""
    return OpenCC("t2s")


@lru_cache(maxsize=4096)
def _fold_width(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified, keeping the length unchanged."""
    converter = _traditional_to_simplified()
    converted = converter.convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(single if len(single := converter.convert(char)) == 1 else char for char in text)


def normalize(text: str) -> str:
    """Simplified characters, half-width ASCII, plain punctuation; same length as `text`.

    A character that cannot be encoded (a lone surrogate that reached the pipeline without
    going through `clean`) becomes a space rather than an error that drops the message."""
    if not text:
        return text
    text = _UNPRINTABLE.sub(" ", text)
    folded = "".join(_fold_width(char) for char in text).translate(_PUNCTUATION)
    return to_simplified(folded)
