"""The pipeline's first component must hand jieba simplified text with entity offsets intact."""

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.chinese_normalizer import ChineseNormalizer


def test_live_messages_are_folded_to_simplified() -> None:
    messages = [Message(data={TEXT: "來個貓頭鷹型的客戶，我想練練"}), Message(data={TEXT: ""})]
    ChineseNormalizer().process(messages)
    assert messages[0].get(TEXT) == "来个猫头鹰型的客户,我想练练"
    assert messages[1].get(TEXT) == ""


def test_training_examples_keep_their_entity_spans() -> None:
    text = "來個貓頭鷹型的客戶"
    entity = {"start": 2, "end": 6, "value": "owl", "entity": "persona"}
    example = Message(data={TEXT: text, ENTITIES: [entity], "intent": "start_roleplay"})
    ChineseNormalizer().process_training_data(TrainingData(training_examples=[example]))
    folded = example.get(TEXT)
    span = example.get(ENTITIES)[0]
    assert folded[span["start"] : span["end"]] == "猫头鹰型"
