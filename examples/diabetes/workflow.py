"""Train and score an XGBoost classifier on the Pima Indians diabetes data.

Four cached tasks: split the CSV into train and test parts, fit the classifier, predict the
test part and score the accuracy. The workflow returns the accuracy, 0.7598425196850394 with
the default hyperparameters (see README.md for why ``tree_method="exact"`` and
``base_score=0.5`` are among them).

Run it::

    updraft run examples/diabetes/workflow.py diabetes_xgboost_model
    updraft run examples/diabetes/workflow.py diabetes_xgboost_model --seed 8

or call it: ``diabetes_xgboost_model()`` returns the accuracy.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import joblib
import pandas as pd
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from xgboost import XGBClassifier

from updraft import Columns, File, Resources, current_context, task, workflow

DATASET = Path(__file__).resolve().with_name("pima-indians-diabetes.data.csv")

FEATURE_COLUMNS: dict[str, type] = {
    "pregnancies": int,
    "glucose": int,
    "blood_pressure": int,
    "skin_thickness": int,
    "insulin": int,
    "bmi": float,
    "pedigree": float,
    "age": int,
}
CLASS_COLUMN = "diabetic"

Features = Annotated[pd.DataFrame, Columns(**FEATURE_COLUMNS)]
Classes = Annotated[pd.DataFrame, Columns(**{CLASS_COLUMN: int})]


@dataclass
class XGBoostModelHyperparams:
    """The settings of the XGBoost classifier.

    ``tree_method="exact"`` and ``base_score=0.5`` were xgboost's defaults before 2.0; keeping
    them reproduces the accuracy the pipeline has always reported. Set either to None to get
    the installed xgboost's own default instead.
    """

    max_depth: int = 4
    learning_rate: float = 0.1
    n_estimators: int = 100
    objective: str = "binary:logistic"
    booster: str = "gbtree"
    n_jobs: int = 1
    tree_method: str | None = "exact"
    base_score: float | None = 0.5


@task(cache=True, cache_version="1.0", limits=Resources(mem="200Mi"))
def split_traintest_dataset(
    dataset: File, seed: int, test_split_ratio: float
) -> tuple[Features, Features, Classes, Classes]:
    """Read the header-less CSV and split it into train and test features and classes.

    The first eight columns are the features, the last one the class (1 = diabetic).
    """
    df = pd.read_csv(dataset.path, names=[*FEATURE_COLUMNS, CLASS_COLUMN])
    x = df[list(FEATURE_COLUMNS)]
    y = df[[CLASS_COLUMN]]
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_split_ratio, random_state=seed
    )
    return x_train, x_test, y_train, y_test


@task(cache=True, cache_version="1.0", limits=Resources(mem="200Mi"))
def fit(x: Features, y: Classes, hyperparams: XGBoostModelHyperparams) -> File:
    """Fit the classifier on the training part and save it with joblib."""
    model = XGBClassifier(
        n_jobs=hyperparams.n_jobs,
        max_depth=hyperparams.max_depth,
        n_estimators=hyperparams.n_estimators,
        booster=hyperparams.booster,
        objective=hyperparams.objective,
        learning_rate=hyperparams.learning_rate,
        tree_method=hyperparams.tree_method,
        base_score=hyperparams.base_score,
    )
    model.fit(x, y)
    path = os.path.join(current_context().working_directory, "model.joblib.dat")
    joblib.dump(model, path)
    return File(path)


@task(cache=True, cache_version="1.0", limits=Resources(mem="200Mi"))
def predict(x: Features, model_ser: File) -> Classes:
    """Predict the class of every row of the test part with the saved model."""
    model = joblib.load(model_ser.path)
    return pd.DataFrame({CLASS_COLUMN: model.predict(x).astype("int64")})


@task(cache=True, cache_version="1.0", limits=Resources(mem="200Mi"))
def score(predictions: Classes, y: Classes) -> float:
    """The share of test rows whose predicted class is the true one."""
    return float(accuracy_score(y[CLASS_COLUMN], predictions[CLASS_COLUMN]))


@workflow
def diabetes_xgboost_model(
    dataset: File = File(DATASET), seed: int = 7, test_split_ratio: float = 0.33
) -> float:
    """Split the data, fit the model, predict the test part and return the accuracy."""
    x_train, x_test, y_train, y_test = split_traintest_dataset(
        dataset=dataset, seed=seed, test_split_ratio=test_split_ratio
    )
    model = fit(x=x_train, y=y_train, hyperparams=XGBoostModelHyperparams())
    predictions = predict(x=x_test, model_ser=model)
    return score(predictions=predictions, y=y_test)
