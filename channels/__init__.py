"""Custom Rasa input channels (may import rasa)."""
