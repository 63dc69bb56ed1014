"""Practising a visit: the role-play session, the simulated customer, scenarios, the quiz,
the coach's answers and each rep's history."""
