// PanelEmulator: a local MidnightStreamer-compatible HTTP server backed by SQLite.
