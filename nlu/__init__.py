"""NLU: training data, custom Rasa components and the spaCy gazetteer."""
