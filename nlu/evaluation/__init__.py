"""NLU evaluation for developers: test-split report against a baseline, k-fold
cross-validation. Run ``python -m nlu.evaluation --help``; see nlu/README.md."""
