"""``python -m checkgame`` runs the command line."""

from checkgame.cli import main

raise SystemExit(main())
