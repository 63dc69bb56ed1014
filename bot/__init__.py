"""salescoach: the domain, in layers a newcomer can tell apart from the tree.

- `language/`: what reps type: normalising, quantities, cue rules, the channel text limit;
- `methodology/`: M1-M12 as validated data (schema, the one loader, the shared vocabulary);
- `scoring/`: per-turn and session rules, the report;
- `practice/`: role-play, the simulated customer, scenarios, quiz, coach answers, history;
- `adapters/`: what talks to the outside: the trained model, the database, WeCom, Rasa's
  tracker store. The domain never imports them (tests/unit/test_layers.py);
- `clock.py`: the one notion of now and of China time;
- `cli.py`: `python -m bot score`, an entry point like `actions/`, `channels/` and `webapp/`.
"""
