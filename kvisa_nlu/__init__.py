"""Rasa NLU components of this project (may import Rasa; kvisa/ never does)."""
