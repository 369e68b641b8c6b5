"""Charts of the analytics tables (matplotlib, imported only here) and the HTML report."""
