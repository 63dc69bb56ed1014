"""What reps type: normalising text, quantities, cue rules, and the text limit every channel
applies."""
