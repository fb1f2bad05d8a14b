using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;

namespace Tcd.MLNet.Tests.Estimators;

public class BertFineTuningEstimatorTests
{
    [Fact]
    public void Binary_classifier_output_evaluates_with_the_binary_evaluator()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment());
        var estimator = mlContext.Tcd().TextClassifier(TcdTestData.Teacher, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(), ValidationData = data });

        var model = estimator.Fit(data);

        model.Kind.Should().Be(BertPredictionKind.BinaryClassification);
        model.TrainingResult!.EpochScores.Should().HaveCount(2);
        var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(data));
        metrics.Accuracy.Should().BeInRange(0, 1);
        metrics.AreaUnderRocCurve.Should().BeInRange(0, 1);
        var rows = mlContext.Data.CreateEnumerable<BinaryPrediction>(model.Transform(data), reuseRowObject: false).ToList();
        rows.Should().OnlyContain(r => Math.Abs(r.Probability - 1 / (1 + MathF.Exp(-r.Score))) < 1e-5 && r.PredictedLabel == r.Score > 0);
    }

    [Fact]
    public void Multiclass_classifier_keeps_the_key_values_so_MapKeyToValue_works()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Topics());
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label", "Topic")
            .Append(mlContext.Tcd().TextClassifier(TcdTestData.Teacher, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning() }))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedTopic", "PredictedLabel"));

        var model = pipeline.Fit(data);
        var scored = model.Transform(data);

        var metrics = mlContext.MulticlassClassification.Evaluate(scored);
        metrics.MacroAccuracy.Should().BeInRange(0, 1);
        metrics.ConfusionMatrix.NumberOfClasses.Should().Be(3);
        var predictions = mlContext.Data.CreateEnumerable<TopicPrediction>(scored, reuseRowObject: false).ToList();
        predictions.Should().OnlyContain(p => new[] { "sport", "finance", "weather" }.Contains(p.PredictedTopic) && Math.Abs(p.Score.Sum() - 1) < 1e-4);
    }

    [Fact]
    public void Regressor_output_evaluates_with_the_regression_evaluator()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment().Select(r => new ScoreRow { Text = r.Text, Label = r.Label ? 4.5f : 0.5f }));
        var model = mlContext.Tcd().Regressor(TcdTestData.Teacher, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(), ValidationData = data }).Fit(data);

        model.Kind.Should().Be(BertPredictionKind.Regression);
        var metrics = mlContext.Regression.Evaluate(model.Transform(data));
        double.IsFinite(metrics.RootMeanSquaredError).Should().BeTrue();
    }

    [Fact]
    public void A_custom_validation_score_selects_the_best_epoch()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment());
        var calls = new List<(int Rows, int Width)>();
        var scores = new Queue<double>([0.9, 0.1]);
        var options = new BertFineTuningOptions
        {
            Training = TcdTestData.FastFineTuning(),
            ValidationData = data,
            ValidationScore = (outputs, targets) =>
            {
                calls.Add((targets.Count, outputs[0].Length));
                return scores.Dequeue();
            },
        };

        var model = mlContext.Tcd().TextClassifier(TcdTestData.Teacher, options).Fit(data);

        calls.Should().Equal((16, 2), (16, 2));
        model.TrainingResult!.EpochScores.Should().Equal(0.9, 0.1);
        model.TrainingResult.BestEpoch.Should().Be(1);
    }

    [Fact]
    public void Sentence_pair_classifier_reads_both_columns_with_adapters()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment().Select(r => new PairRow { Sentence1 = r.Text, Sentence2 = r.Text, Label = r.Label }));
        var model = mlContext.Tcd().SentencePairClassifier(TcdTestData.Teacher, fineTuning: FineTuning.Adapters(8), epochs: 1, learningRate: 1e-3, batchSize: 8).Fit(data);

        model.Model.Config.AdapterSize.Should().Be(8);
        model.PairColumnName.Should().Be("Sentence2");
        TcdTestData.Teacher.Model.Config.AdapterSize.Should().Be(0, "the pre-trained transformer is not changed");
        mlContext.BinaryClassification.Evaluate(model.Transform(data)).Accuracy.Should().BeInRange(0, 1);
        var missingPair = () => model.Transform(mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment()));
        missingPair.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Sentence1'*");
    }

    [Fact]
    public void Label_type_errors_name_the_column_and_say_what_to_do()
    {
        var mlContext = new MLContext(seed: 1);
        var floats = mlContext.Data.LoadFromEnumerable(new[] { new ScoreRow { Text = "x", Label = 1 } });
        var classify = () => mlContext.Tcd().TextClassifier(TcdTestData.Teacher).Fit(floats);
        classify.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Label'*Single*Boolean*MapValueToKey*");

        var shape = () => mlContext.Tcd().TextClassifier(TcdTestData.Teacher).GetOutputSchema(Shapes.Of(floats.Schema));
        shape.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Label'*MapValueToKey*");

        var booleans = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment());
        var regress = () => mlContext.Tcd().Regressor(TcdTestData.Teacher).Fit(booleans);
        regress.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Label'*Boolean*Single*");

        var missing = () => mlContext.Tcd().TextClassifier(TcdTestData.Teacher, labelColumnName: "Sentiment").Fit(booleans);
        missing.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*no column 'Sentiment'*");
    }

    [Fact]
    public void Bad_rows_are_skipped_and_counted()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = new List<string>();
        mlContext.Log += (_, e) => { if (e.Message.Contains("Skipped", StringComparison.Ordinal)) { lock (warnings) { warnings.Add(e.Message); } } };
        var rows = TcdTestData.Sentiment(1).Select(r => new ScoreRow { Text = r.Text, Label = 1 })
            .Append(new ScoreRow { Text = "", Label = 1 })
            .Append(new ScoreRow { Text = "fine", Label = float.NaN });
        var model = mlContext.Tcd().Regressor(TcdTestData.Teacher, epochs: 1).Fit(mlContext.Data.LoadFromEnumerable(rows));
        warnings.Should().ContainSingle().Which.Should().Contain("Skipped 2 training rows");
        mlContext.Data.CreateEnumerable<ScoreRow>(model.Transform(mlContext.Data.LoadFromEnumerable(rows)), reuseRowObject: false)
            .Should().HaveCount(10, "every row is scored at transform time, blank text included");

        warnings.Clear();
        // LoadFromEnumerable turns the C# value v of a [KeyType(3)] member into key v + 1, and a value out of range into
        // the missing key 0, which the estimator skips.
        var keys = mlContext.Data.LoadFromEnumerable(new[] { new KeyRow { Text = "a", Label = 0 }, new KeyRow { Text = "b", Label = 7 }, new KeyRow { Text = "c", Label = 2 } });
        mlContext.Tcd().TextClassifier(TcdTestData.Teacher, epochs: 1).Fit(keys).ClassCount.Should().Be(3);
        warnings.Should().ContainSingle().Which.Should().Contain("Skipped 1 training rows");

        var allMissing = mlContext.Data.LoadFromEnumerable(new[] { new KeyRow { Text = "a", Label = 7 } });
        var fit = () => mlContext.Tcd().TextClassifier(TcdTestData.Teacher, epochs: 1).Fit(allMissing);
        fit.Should().Throw<InvalidOperationException>().WithMessage("The training data has no usable row*");
    }

    private sealed class TopicPrediction
    {
        public string PredictedTopic { get; set; } = string.Empty;

        public float[] Score { get; set; } = [];
    }

    private sealed class PairRow
    {
        public string Sentence1 { get; set; } = string.Empty;

        public string Sentence2 { get; set; } = string.Empty;

        public bool Label { get; set; }
    }

    private sealed class KeyRow
    {
        public string Text { get; set; } = string.Empty;

        [KeyType(3)]
        public uint Label { get; set; }
    }
}
