"""The disaster-recovery drill (``checkgame dr-drill``) and the throwaway PostgreSQL clusters it destroys.

Not a layer of the server: like :mod:`checkgame.loadtest`, it drives the server and its
database from outside (processes, pgBackRest, the store) and is imported only by the CLI.
"""
