"""Stand-ins for what is not ours: the WeCom API server, WeCom's callback sender, and the
Rasa agent behind an input channel."""
