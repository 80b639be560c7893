"""The board's rules. Views, the importer and the CLI call these; nothing here knows about HTTP."""
