"""What every channel does with a rep's text first: odd characters cleaned, never raised on,
and one length limit answered in Chinese."""

import pytest

from bot.language.inbound import MAX_MESSAGE_CHARS, inbound
from bot.language.text import normalize


@pytest.mark.parametrize(
    ("sent", "seen"),
    [
        ("您好\ud800王总", "您好王总"),  # a lone surrogate, as JSON "\ud800" decodes
        ("  好的,王总\x00\x07 ", "好的,王总"),  # controls and padding
        ("第一句\n第二句", "第一句\n第二句"),  # line breaks are the rep's own
        ("陳總您好,請問貴公司", "陳總您好,請問貴公司"),  # traditional: the NLU folds it
        ("👍 OK, let's talk about the budget", "👍 OK, let's talk about the budget"),
        ("", ""),
    ],
)
def test_text_is_cleaned_of_what_cannot_be_stored_and_keeps_the_rest(sent, seen) -> None:
    prepared = inbound(sent)
    assert (prepared.text, prepared.refusal) == (seen, None)
    prepared.text.encode("utf-8")  # storable and sendable


def test_a_text_over_the_limit_is_refused_with_its_length_in_chinese() -> None:
    assert inbound("好" * MAX_MESSAGE_CHARS).refusal is None
    refused = inbound("好" * 1_000_000)
    assert refused.text == ""
    assert "1000000 个字" in refused.refusal and f"最多 {MAX_MESSAGE_CHARS} 个字" in refused.refusal


def test_the_normaliser_never_raises_and_keeps_entity_offsets() -> None:
    text = "您好\ud800王總,預算\udfff多少?"
    folded = normalize(text)
    assert len(folded) == len(text)
    assert folded == "您好 王总,预算 多少?"
