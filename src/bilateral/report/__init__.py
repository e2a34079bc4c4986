"""Report: how records are shown to people (terminal tables now; briefs later)."""
