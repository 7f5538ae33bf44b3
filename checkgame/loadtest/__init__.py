"""``checkgame loadtest``: many computer players over the real protocol, and what the server does under them.

The parent process (:mod:`.run`) starts the server when asked (:mod:`.servers`),
spreads whole tables over worker processes (:mod:`.worker`), samples the
server's CPU and memory (:mod:`.procstat`), prints a progress line and ends
with a report (:mod:`.report`). Each worker seats its tables' players over REST
and plays them over WebSockets (:mod:`.table`); because all the players of a
table live in one worker, one clock times an action until every player of the
table has seen it. Method and figures: docs/performance.md.
"""
