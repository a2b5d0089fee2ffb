"""What is kept on disk: atomic writes, regular files only, read marks and bookmarks (state)."""
