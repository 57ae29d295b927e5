"""Citizens' applications: numbers, status, ownership checks and the staff CLI.

Modules: ``numbers`` (application numbers and their check digit), ``birthdates``
(parsing what citizens type), ``hashing`` (birth dates stored only as a salted
HMAC), ``models`` (tables), ``repository`` (reading and changing applications),
``verification`` (ownership check and lockouts), ``seed`` (sample data) and
``cli`` (``python -m applications``).
"""
