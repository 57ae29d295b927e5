"""The service catalogue: YAML source files, SQL models, validation, import and
export, search over service names, the eligibility rule evaluator and the staff
command-line tool (``python -m knowledge``).

Nothing here touches the database or loads the Korean analyser at import time.
"""
