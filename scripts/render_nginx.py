"""Writes deploy/nginx.conf with its ${NAMES} filled in, for scripts/run.sh's several-instances mode.

usage: render_nginx.py OUT RUN_DIR PUBLIC_ADDRESS WEB_ADDRESS RASA_ADDRESS [RASA_ADDRESS ...]"""
from __future__ import annotations

import sys
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf"


def render(run_dir: str, public: str, web: str, rasa: list) -> str:
    servers = "\n".join(f"        server {address};" for address in rasa)
    # safe_substitute leaves nginx's own $variables ($host, $remote_addr ...) alone
    return Template(TEMPLATE.read_text()).safe_substitute(RUN_DIR=run_dir, PUBLIC_ADDRESS=public,
                                                          WEB_ADDRESS=web, RASA_SERVERS=servers)


if __name__ == "__main__":
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    out, run_dir, public, web, *rasa = sys.argv[1:]
    Path(out).write_text(render(run_dir, public, web, rasa))
