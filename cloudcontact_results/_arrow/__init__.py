"""Reports as Arrow tables and Parquet files (needs pyarrow)."""
