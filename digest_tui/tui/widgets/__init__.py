"""The reader's widgets. They draw and dispatch; the app owns the data and the state."""
