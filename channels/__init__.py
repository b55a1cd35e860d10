"""Custom Rasa input channels (may import rasa). Rasa imports this package when it reads credentials.yml, so
what it installs here is in place before the server serves anything."""
from channels import log_redaction, quiet_logs, rasa_redaction

quiet_logs.install()
log_redaction.install()
rasa_redaction.install()

