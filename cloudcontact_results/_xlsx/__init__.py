"""Reports as Excel workbooks: writing with XlsxWriter, reading with openpyxl."""
