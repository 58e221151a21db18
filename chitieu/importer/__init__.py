"""Read a plan annex from the file people really have: text, .xlsx or .docx.

Public interface (used by the CLI, the web app and the reports):

    read_plan(path) -> ReadResult
    read_plan_bytes(data, filename) -> ReadResult

``ReadResult.plan`` is None when the input is not a usable plan; the reasons
are in ``ReadResult.issues`` (severity ``error``) with where they were found.
Readers never raise on bad input.
"""
