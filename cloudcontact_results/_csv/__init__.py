"""Reports as CSV: the dialects, writing (optionally zipped) and reading back."""
