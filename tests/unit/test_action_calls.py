"""Rasa's check of action server responses, compiled once: it takes and refuses what Rasa's
own check takes and refuses, with the same message."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.adapters.action_calls import check_action_responses_with_a_compiled_schema

GOOD = {
    "events": [{"event": "slot", "name": "roleplay", "value": {"id": "s1", "turns": 3, "last": 9}}],
    "responses": [{"text": "王厂长:喷头老堵。"}],
}
BAD = {"events": [{"event": "slot", "name": 7}], "responses": "not a list"}


def _messages(check, result: dict) -> str | None:
    try:
        check(result)
    except jsonschema.ValidationError as error:
        return error.message
    return None


def test_the_compiled_check_agrees_with_rasas_own() -> None:
    action = RemoteAction("action_rep_move", None)
    rasas = _messages(action._validate_action_result, BAD)
    check_action_responses_with_a_compiled_schema()
    assert action._validate_action_result(GOOD) is True
    assert rasas is not None and _messages(action._validate_action_result, BAD) == rasas
    with pytest.raises(jsonschema.ValidationError, match="custom-actions"):
        action._validate_action_result(BAD)
