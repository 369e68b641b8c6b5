"""Reading CSV/zip exports back into typed rows: source, header, cells, rows, the report."""
