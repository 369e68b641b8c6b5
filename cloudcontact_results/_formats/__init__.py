"""Above the formats: export picks a writer from one table, read_report a reader."""
