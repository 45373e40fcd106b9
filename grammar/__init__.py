"""Lark grammar files for markcheck (installed as markcheck.lark_grammar)."""
