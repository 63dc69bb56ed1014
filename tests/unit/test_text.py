"""A rep typing traditional characters or full-width punctuation must be understood the same."""

import pytest

from bot.language.text import normalize, to_simplified


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("您好,我是誠達設備的小李,今天來拜訪一下", "您好,我是诚达设备的小李,今天来拜访一下"),
        ("貓頭鷹型的客戶怎麼應對?", "猫头鹰型的客户怎么应对?"),
        ("如果停機一次,對交貨期會有什麼影響?", "如果停机一次,对交货期会有什么影响?"),
        ("ＲＯＩ大概多少？", "ROI大概多少?"),
        ("是的，是的，可是……", "是的,是的,可是……"),
        ("“价格”太贵了。", '"价格"太贵了.'),
        ("节省１２％的耗材", "节省12%的耗材"),
    ],
)
def test_normalize_folds_traditional_and_full_width(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


def test_simplified_text_is_left_alone() -> None:
    sentence = "目前贵公司用的是哪种喷码机?每天产量大概多少?"
    assert normalize(sentence) == sentence


@pytest.mark.parametrize("typed", ["", "   ", "😀🙏👍", "OK, let's do a demo", "x" * 5000])
def test_normalize_keeps_length_so_entity_offsets_survive(typed: str) -> None:
    assert len(normalize(typed)) == len(typed)


def test_to_simplified_never_changes_length() -> None:
    traditional = "乾隆年間的髮型與頭髮、後來的皇后"
    converted = to_simplified(traditional)
    assert len(converted) == len(traditional)
    assert "发" in converted and "后" in converted
