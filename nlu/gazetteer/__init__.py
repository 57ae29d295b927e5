"""The spaCy gazetteer of Korean regions, built by build.py and loaded from a path."""
