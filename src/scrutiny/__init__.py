"""Scrutiny notebooks: contract-validated, reproducible scrutiny packs for OPCCs."""

import sys

__version__ = "0.1.0"

# jsonschema (imported by Altair and Great Expectations) imports rfc3987_syntax when it is installed (JupyterLab's
# jupyter-events brings it), and that module compiles an Earley grammar at import: about 3 s in every process and
# every notebook kernel. It only checks the "iri" string format, which no schema used here asks for; marking it
# absent makes jsonschema skip that one format check, as it does when the package is not installed.
if "rfc3987_syntax" not in sys.modules:
    sys.modules["rfc3987_syntax"] = None
