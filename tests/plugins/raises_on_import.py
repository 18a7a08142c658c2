"""A broken local plugin: importing it fails."""

raise RuntimeError("this plugin is broken on purpose")
