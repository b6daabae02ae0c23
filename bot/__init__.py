"""IOP answer desk: answers questions about Intensive Outpatient Programs from a small library of documents."""

__version__ = "0.1.0"
