#!/usr/bin/env bash
# Create the virtualenv with Python 3.11 and install Rasa 3.6 on it.
# Rasa 3.6.21 declares Python <3.11, so its dependencies come from our own list
# (requirements/rasa-deps.txt, pinned by constraints.txt) and Rasa itself is installed
# with --no-deps --ignore-requires-python. See docs/install.md for why.
set -euo pipefail
python="$1" venv="$2" rasa_version="$3" sdk_version="$4"

if [ -z "$python" ]; then
    echo "error: Python 3.11 not found. Install it (Debian: apt install python3.11 python3.11-venv)." >&2
    exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    if [ "$version" != "3.11" ]; then
        echo "error: $python is Python $version; salescoach needs Python 3.11 (set PYTHON=...)." >&2
        exit 1
    fi
    echo "creating $venv with $python"
    "$python" -m venv "$venv"
fi

pip() { "$venv/bin/python" -m pip --disable-pip-version-check --quiet "$@" 2> >(grep -v "is ignored: it is neither" >&2); }
echo "installing Rasa's dependencies (first run: a few minutes)"
pip install -r requirements/rasa-deps.txt -c requirements/constraints.txt
echo "installing rasa==$rasa_version rasa-sdk==$sdk_version"
pip install --no-deps --ignore-requires-python "rasa==$rasa_version" "rasa-sdk==$sdk_version"
echo "installing project tools and the salescoach package"
pip install -r requirements/extras.txt -c requirements/constraints.txt
pip install --no-deps --no-build-isolation -e .
echo "environment ready: $venv"
