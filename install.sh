#!/bin/sh
# Install the `checkgame` command for this user with pipx, then run `checkgame ARGS...` if any were given:
#
#   sh install.sh serve        # what the README's first command does
#
# It uses the pipx already on the PATH, or else one of its own in a private virtual environment: a system Python
# managed by its distribution (PEP 668: Debian 12+, Ubuntu 24.04, Homebrew) refuses `pip install --user pipx`.
# `pipx ensurepath` puts pipx's bin directory (usually ~/.local/bin) on the PATH of new terminals.
# PYTHON chooses the interpreter (default python3; 3.11 or later).
set -eu
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

command -v "$PYTHON" >/dev/null 2>&1 || fail "$PYTHON not found: install Python 3.11 or later"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || fail "checkgame needs Python 3.11 or later; $PYTHON is $("$PYTHON" -V 2>&1)"

if command -v pipx >/dev/null 2>&1; then
    PIPX=pipx
else
    private=${XDG_DATA_HOME:-$HOME/.local/share}/checkgame/pipx
    if [ ! -x "$private/bin/pipx" ]; then
        echo "pipx not found: installing one for checkgame in $private"
        if ! "$PYTHON" -m venv "$private" >/dev/null 2>&1; then
            rm -rf "$private"
            fail "$PYTHON cannot create a virtual environment (on Debian or Ubuntu: sudo apt install python3-venv)"
        fi
        "$private/bin/python" -m pip install --quiet pipx || { rm -rf "$private"; fail "could not install pipx"; }
    fi
    PIPX=$private/bin/pipx
fi

echo "installing checkgame with $PIPX (a minute or so)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$PIPX" install --force . >"$log" 2>&1 || { cat "$log" >&2; fail "pipx could not install checkgame (its messages are above)"; }
"$PIPX" ensurepath >/dev/null 2>&1 || true
BIN=$("$PIPX" environment --value PIPX_BIN_DIR)
echo "installed: $BIN/checkgame ($("$BIN/checkgame" --version))"
case ":$PATH:" in
    *":$BIN:"*) ;;
    *) echo "new terminals find checkgame on their PATH; in this one, run: export PATH=\"$BIN:\$PATH\"" ;;
esac

rm -f "$log"
[ "$#" -eq 0 ] || exec "$BIN/checkgame" "$@"
