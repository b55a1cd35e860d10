"""Custom Rasa input channels (may import rasa). Rasa imports this package when it reads credentials.yml."""
from channels import quiet_logs

quiet_logs.install()
