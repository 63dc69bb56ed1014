"""The simulated customer of a role-play (M4, M6, M7, M8, M9): what he knows, how he feels
about the rep, and how he says it in his persona's voice."""

from bot.practice.customer.simulator import CustomerSimulator
from bot.practice.customer.state import CustomerState, Reaction

__all__ = ["CustomerSimulator", "CustomerState", "Reaction"]
