"""The Textual side: the app, its keys, widgets and screens. Nothing below imports from here."""
