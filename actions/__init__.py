"""Rasa SDK actions. Thin: they collect and explain; every decision is asked of the kvisa package."""
