"""The entry points over the file formats: export and read_report pick a format from a table."""
