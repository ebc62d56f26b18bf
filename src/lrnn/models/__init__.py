"""The two models: torch modules for training (torch_models, losses) and the numpy forward
pass every prediction after training goes through (numpy_forward). Importing this package
imports neither torch nor scikit-learn."""
