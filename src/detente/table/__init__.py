"""The negotiating table inside the war: its agenda (issues, positions, no-deal points), shuttle mediation,
agreements and their life, ratification and leaders' support, and the controller that couples them to the
war week by week (docs/table.md)."""
