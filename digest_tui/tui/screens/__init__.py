"""Screens and dialogs over the reader."""
