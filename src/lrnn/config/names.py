"""The names a setting can take, owned here and nowhere else: the data and model stages key
their implementations by these names (tests check that they cover them all)."""

IDX_DATASETS = ("mnist", "fashion-mnist")
BUILTIN_DATASETS = ("digits", "breast_cancer", "iris", "wine")
# Fixed files inside scikit-learn: their class counts are known without reading them (`lrnn
# datasets` lists them without importing numpy; data/builtin.py checks each file against them).
BUILTIN_CLASS_COUNTS = {"digits": 10, "breast_cancer": 2, "iris": 3, "wine": 3}
DATASETS = IDX_DATASETS + BUILTIN_DATASETS
DEFAULT_DATASET = "digits"
MODELS = ("logreg", "mlp")
OPTIMIZERS = ("sgd", "adam", "adamw", "lbfgs")
SCHEDULES = ("none", "cosine", "onecycle", "step")
ACTIVATIONS = ("relu", "tanh", "gelu", "sigmoid", "leaky_relu", "silu", "elu", "identity")
DEVICES = ("auto", "cpu", "cuda", "mps")
# The settings that describe a --data file, meaningless without one.
FILE_SETTINGS = ("target", "test_data", "id_column", "delimiter", "decimal", "categorical",
                 "numeric", "drop")
# --delimiter's default as `--help` shows it, for train's flags and predict's alike.
DEFAULT_DELIMITER_TEXT = ", (tab for .tsv)"
# config.data of a run trained on a pandas DataFrame given in Python (no file to name).
IN_MEMORY = "(DataFrame)"
