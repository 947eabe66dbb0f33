"""Clinical knowledge-base site generator: YAML drug monographs to a static MkDocs Material site."""

__version__ = "0.1.0"
