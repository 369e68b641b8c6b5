"""The reports as pure functions: columns, typed rows, the plan, formatting, the guard, analysis."""
