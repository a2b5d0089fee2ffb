"""What leaves the program: citations, exports and the clipboard."""
