"""The steering group of a case: members of both parties, with history."""
