"""NLU quality: the training and held-out data, and known sentences on the trained model.

heldout.yml and candidates/ are data (scripts/eval_nlu.py reads heldout.yml)."""
