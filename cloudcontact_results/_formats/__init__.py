"""Writing reports: the export and the sinks it streams to (atomic file, stream, zip)."""
