"""Custom Rasa input channels (may import rasa). Rasa imports this package when it reads credentials.yml, so
what it installs here is in place before the server serves anything."""
import sys
from pathlib import Path

from channels import log_redaction, quiet_logs, rasa_redaction

quiet_logs.install()
log_redaction.install()
rasa_redaction.install()

# The apology for a failed action needs Rasa's core (and so TensorFlow), which only the Rasa server has loaded;
# the action server imports this package for the log redaction alone (scripts/action_server.py).
if "rasa.core" in sys.modules:
    from channels import action_faults, forget, rasa_speedups, sqlite_store, text_input, tracker_faults

    # only in `rasa run`, not in tests or tools that import the channels
    if sys.argv[1:2] == ["run"] and Path(sys.argv[0]).name == "rasa":
        tracker_faults.check_database_at_start()
    action_faults.install()
    rasa_speedups.install()
    sqlite_store.install()
    forget.install()
    tracker_faults.install()
    text_input.install()  # outermost: every hook above reads clean text
