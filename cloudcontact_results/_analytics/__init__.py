"""Campaign analytics: one-pass accumulators over report rows and the typed tables they make."""
