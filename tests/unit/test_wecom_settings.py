"""WECOM_* settings: what an operator sees when one is missing or wrong."""

from __future__ import annotations

import base64

import pytest

from bot.adapters.wecom.settings import SettingsError, WeComSettings

AES_KEY_43 = base64.b64encode(bytes(range(100, 132))).decode()[:-1]
ENV = {
    "WECOM_CORP_ID": "ww5a1e5c0ach000001",
    "WECOM_AGENT_ID": "1000002",
    "WECOM_SECRET": "very-secret-app-secret",
    "WECOM_TOKEN": "salescoachtoken",
    "WECOM_AES_KEY": AES_KEY_43,
}


def test_complete_settings_are_read_with_defaults() -> None:
    settings = WeComSettings.from_env(ENV)
    assert settings.corp_id == "ww5a1e5c0ach000001"
    assert settings.agent_id == 1000002
    assert settings.aes_key == bytes(range(100, 132))
    assert settings.api_base == "https://qyapi.weixin.qq.com"
    assert settings.max_skew_seconds == 300
    assert "very-secret" not in repr(settings) and "salescoachtoken" not in repr(settings)


def test_optional_settings_can_be_changed() -> None:
    settings = WeComSettings.from_env(
        ENV | {"WECOM_API_BASE": "http://127.0.0.1:8080/", "WECOM_MAX_SKEW_SECONDS": "0"}
    )
    assert (settings.api_base, settings.max_skew_seconds) == ("http://127.0.0.1:8080", 0)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"WECOM_SECRET": ""}, "WECOM_SECRET"),
        ({"WECOM_CORP_ID": " ", "WECOM_TOKEN": ""}, "WECOM_CORP_ID, WECOM_TOKEN"),
        ({"WECOM_AGENT_ID": "app-1"}, "WECOM_AGENT_ID"),
        ({"WECOM_AGENT_ID": "0"}, "WECOM_AGENT_ID"),
        ({"WECOM_AES_KEY": AES_KEY_43 + "="}, "WECOM_AES_KEY"),
        ({"WECOM_AES_KEY": "*" * 43}, "WECOM_AES_KEY"),
        ({"WECOM_API_BASE": "qyapi.weixin.qq.com"}, "WECOM_API_BASE"),
        ({"WECOM_MAX_SKEW_SECONDS": "-5"}, "WECOM_MAX_SKEW_SECONDS"),
        ({"WECOM_MAX_SKEW_SECONDS": "five minutes"}, "WECOM_MAX_SKEW_SECONDS"),
    ],
)
def test_a_bad_setting_is_named_without_its_value(changes: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named) as error:
        WeComSettings.from_env(ENV | changes)
    for value in (*ENV.values(), *changes.values()):
        if len(value.strip()) > 3:  # short values like "0" occur in any message
            assert value not in str(error.value)
