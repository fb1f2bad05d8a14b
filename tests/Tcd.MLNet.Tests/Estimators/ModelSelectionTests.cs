using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;

namespace Tcd.MLNet.Tests.Estimators;

/// <summary>
/// The Tcd estimators in ML.NET's own model-selection helpers, as docs/mlnet.md shows them: <c>TrainTestSplit</c> with
/// the evaluators, and <c>CrossValidate</c> of each catalog, which fits a fresh model per fold and evaluates its held-out rows.
/// </summary>
public class ModelSelectionTests
{
    [Fact]
    public void TrainTestSplit_holds_out_rows_that_Evaluate_scores_with_the_classifiers_predictions()
    {
        var mlContext = new MLContext(seed: 1);
        var split = mlContext.Data.TrainTestSplit(mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment(3)), testFraction: 0.25, seed: 1);
        var model = mlContext.Tcd().TextClassifier(TcdTestData.Teacher, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(1) }).Fit(split.TrainSet);

        var scored = model.Transform(split.TestSet);
        var metrics = mlContext.BinaryClassification.Evaluate(scored);

        var rows = mlContext.Data.CreateEnumerable<LabelledPrediction>(scored, reuseRowObject: false).ToList();
        rows.Should().NotBeEmpty().And.HaveCountLessThan(24, "the split holds some of the 24 rows out");
        Counted(metrics.ConfusionMatrix).Should().Be(rows.Count);
        metrics.Accuracy.Should().BeApproximately(rows.Count(row => row.PredictedLabel == row.Label) / (double)rows.Count, 1e-9);
        metrics.LogLoss.Should().BeApproximately(rows.Average(row => -Math.Log2(row.Label ? row.Probability : 1 - row.Probability)), 1e-4);
    }

    [Fact]
    public void Binary_CrossValidate_fits_a_classifier_per_fold_in_one_checkpoint_folder_and_scores_every_row_once()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment(3));
        var folder = Directory.CreateTempSubdirectory("tcd-cross-validation-");
        try
        {
            var options = new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(1) with { CheckpointDirectory = folder.FullName, CheckpointEvery = 1 } };

            var folds = mlContext.BinaryClassification.CrossValidate(data, mlContext.Tcd().TextClassifier(TcdTestData.Teacher, options), numberOfFolds: 3);

            folds.Should().HaveCount(3);
            folds.Sum(fold => Counted(fold.Metrics.ConfusionMatrix)).Should().Be(24, "every row is held out by exactly one fold");
            folds.Select(fold => fold.Model).Should().AllBeOfType<FineTunedBertTransformer>()
                .Which.Should().OnlyContain(model => model.FineTuningResult!.ResumedFromStep == null, "each fold trains afresh, not from the previous fold's checkpoint");
            folds.Select(fold => fold.Metrics.Accuracy).Should().OnlyContain(accuracy => accuracy >= 0 && accuracy <= 1);
            folds.Select(fold => fold.Metrics.AreaUnderRocCurve).Should().OnlyContain(auc => !double.IsNaN(auc));
        }
        finally
        {
            folder.Refresh();
            if (folder.Exists)
            {
                folder.Delete(recursive: true);
            }
        }
    }

    [Fact]
    public void Multiclass_CrossValidate_maps_string_labels_to_keys_per_fold()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Topics().Concat(TcdTestData.Topics()));
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label", "Topic")
            .Append(mlContext.Tcd().TextClassifier(TcdTestData.Teacher, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(1) }));

        var folds = mlContext.MulticlassClassification.CrossValidate(data, pipeline, numberOfFolds: 2);

        folds.Should().HaveCount(2);
        folds.Sum(fold => Counted(fold.Metrics.ConfusionMatrix)).Should().Be(24);
        folds.Should().OnlyContain(fold => fold.Metrics.ConfusionMatrix.NumberOfClasses == 3 && fold.Metrics.MicroAccuracy >= 0 && fold.Metrics.MicroAccuracy <= 1);
    }

    [Fact]
    public void Regression_CrossValidate_reports_finite_errors_per_fold()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment(2).Select((row, index) => new ScoreRow { Text = row.Text, Label = (row.Label ? 4f : 1f) + index % 3 * 0.25f }));

        var folds = mlContext.Regression.CrossValidate(data, mlContext.Tcd().Regressor(TcdTestData.Teacher, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(1) }), numberOfFolds: 2);

        folds.Should().HaveCount(2);
        folds.Should().OnlyContain(fold => double.IsFinite(fold.Metrics.RootMeanSquaredError) && fold.Metrics.RootMeanSquaredError > 0);
        folds.Sum(fold => mlContext.Data.CreateEnumerable<ScoreRow>(fold.ScoredHoldOutSet, reuseRowObject: false).Count()).Should().Be(16);
    }

    private static double Counted(ConfusionMatrix matrix) => matrix.Counts.Sum(row => row.Sum());

    private sealed class LabelledPrediction
    {
        public bool Label { get; set; }

        public bool PredictedLabel { get; set; }

        public float Probability { get; set; }
    }
}
