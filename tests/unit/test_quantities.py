"""Numbers, percentages, amounts and quiz letters are found exactly, without learning."""

import pytest

from bot.language.quantities import find_quantities


def _found(text: str) -> list[tuple[str, str]]:
    return [(q.entity, q.value) for q in find_quantities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一年能帮您省30%的电费", [("percent", "30%")]),
        ("可用性达到99.99%,一年省12万", [("percent", "99.99%"), ("money", "12万")]),
        ("故障率降了百分之十五", [("percent", "百分之十五")]),
        ("大概二十万元的耗材费", [("money", "二十万元")]),
        ("报价是 350 元一台", [("money", "350元")]),
        ("2023年上线了5条产线", [("number", "2023"), ("number", "5")]),
        ("一年光利息就多花两千万", [("money", "两千万")]),
        ("三年算下来能省六万", [("money", "六万")]),
        ("答案是AC", [("quiz_answer", "AC")]),
        ("选b吧", [("quiz_answer", "B")]),
        ("A和C", [("quiz_answer", "A"), ("quiz_answer", "C")]),
    ],
)
def test_quantities_are_found_with_clean_values(text: str, expected: list) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    ["I want a demo", "我们下周见", "", "😀", "千万别找小公司", "万一出问题呢", "一万个放心"],
)
def test_ordinary_text_has_no_quantities(text: str) -> None:
    assert _found(text) == []


def test_spans_point_into_the_text() -> None:
    text = "这样一年下来能省30%的墨水"
    (quantity,) = find_quantities(text)
    assert text[quantity.start : quantity.end] == "30%"
