"""Text for people: the one way outside text is made safe to show (sanitize), and wording."""
