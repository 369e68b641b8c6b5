"""The file layer under every format: destinations, atomic writes, sources, limits, typed rows."""
