"""Tests of the report files, opened with python-docx, openpyxl and pdftotext."""
