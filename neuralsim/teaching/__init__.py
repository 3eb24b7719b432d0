"""The teaching layer: exercises and predictions, checked against the model."""
