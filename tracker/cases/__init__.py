"""Cases (change projects) and their registration."""
