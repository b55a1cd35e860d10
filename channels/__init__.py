"""Custom Rasa input channels (may import rasa). Rasa imports this package when it reads credentials.yml, so
what it installs here is in place before the server serves anything."""
import sys

from channels import log_redaction, quiet_logs, rasa_redaction

quiet_logs.install()
log_redaction.install()
rasa_redaction.install()

# The apology for a failed action needs Rasa's core (and so TensorFlow), which only the Rasa server has loaded;
# the action server imports this package for the log redaction alone (scripts/action_server.py).
if "rasa.core" in sys.modules:
    from channels import action_faults

    action_faults.install()
