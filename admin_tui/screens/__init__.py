"""The console's screens: connect, dashboard (overview, sessions, connections, health, audit), game, dialogs."""
