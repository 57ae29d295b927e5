"""What staff need to follow up on: handoffs to a person and citizens' feedback."""
