"""Monthly reports: display pieces, figures, HTML pages and the runner.

``report`` renders what :mod:`workbench.analysis` computed; it computes nothing itself.
"""
