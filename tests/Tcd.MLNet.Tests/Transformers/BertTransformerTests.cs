using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
using Tcd.Models.Data;
using Tcd.Models.Modeling;

namespace Tcd.MLNet.Tests.Transformers;

public class BertTransformerTests
{
    [Fact]
    public void Transform_is_lazy_and_runs_one_forward_pass_per_batch()
    {
        var mlContext = new MLContext(seed: 1);
        var model = TcdTestData.SentimentClassifier;
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment(repeat: 5)); // 40 rows, batches of 4
        var before = model.ForwardCount;

        var scored = model.Transform(data);
        model.ForwardCount.Should().Be(before, "Transform only builds a lazy view");
        var rows = mlContext.Data.CreateEnumerable<BinaryPrediction>(scored, reuseRowObject: false).ToList();

        rows.Should().HaveCount(40);
        model.ForwardCount.Should().Be(before + 10);
        var textOnly = mlContext.Data.CreateEnumerable<SentimentRow>(scored, reuseRowObject: false).Count();
        textOnly.Should().Be(40);
        model.ForwardCount.Should().Be(before + 10, "reading only input columns runs no forward pass");
    }

    [Fact]
    public void Transform_batches_rows_of_like_length_together_and_gives_each_row_its_own_scores_in_input_order()
    {
        var mlContext = new MLContext(seed: 1);
        var model = TcdTestData.SentimentClassifier; // batches of 4
        // Short and long texts alternate, so batches of like length mix the input order.
        var inputs = Enumerable.Range(0, 40).Select(i => new SentimentRow
        {
            Text = i % 2 == 0 ? TcdTestData.Positive[i / 2 % 4] : string.Join(' ', Enumerable.Repeat(TcdTestData.Negative[i / 2 % 4], 1 + i % 5)),
        }).ToList();
        using var engine = mlContext.Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(model);
        var alone = inputs.Select(engine.Predict).Select(prediction => prediction.Score).ToList();
        var before = model.ForwardCount;

        var view = model.Transform(mlContext.Data.LoadFromEnumerable(inputs));
        using (var cursor = view.GetRowCursor(view.Schema))
        {
            cursor.MoveNext().Should().BeTrue();
            model.ForwardCount.Should().Be(before + 1, "the first rows come after one batch; later windows read up to 8 batches ahead");
        }

        var tokensBefore = model.TokensRun;
        var scored = mlContext.Data.CreateEnumerable<BinaryPrediction>(model.Transform(mlContext.Data.LoadFromEnumerable(inputs)), reuseRowObject: false)
            .Select(prediction => prediction.Score).ToList();

        scored.Should().Equal(alone, (a, b) => Math.Abs(a - b) < 1e-4);
        var lengths = inputs.Select(input => model.Encoder.Encode(input.Text, maxSequenceLength: model.MaxSequenceLength).Length).ToList();
        var inInputOrder = lengths.Chunk(4).Sum(batch => 4L * batch.Max());
        (model.TokensRun - tokensBefore).Should().BeLessThan(inInputOrder * 3 / 4, "batched by length, little of each batch is padding");
    }

    [Fact]
    public void Transform_and_PredictionEngine_run_the_network_without_recording_gradients()
    {
        var mlContext = new MLContext(seed: 1);
        var featurizer = new PretrainedBertTransformer(new BertForMaskedLm(TcdTestData.Tiny), BertTextEncoder.CreateUncased(), maxSequenceLength: 32);
        try
        {
            featurizer.Model.parameters().Should().OnlyContain(parameter => parameter.requires_grad, "the weights are trainable, so a forward pass outside no_grad records a graph");

            featurizer.Transform(TcdTestData.Corpus(mlContext)).GetColumn<float[]>("Features").Should().HaveCount(12);
            using var engine = mlContext.Model.CreatePredictionEngine<TextInput, FeatureVector>(featurizer);
            engine.Predict(new TextInput { Text = "the cat sat on the mat." }).Features.Should().HaveCount(TcdTestData.Tiny.HiddenSize);

            featurizer.ForwardCount.Should().BeGreaterThan(1);
            featurizer.GradientRecordingForwardCount.Should().Be(0, "a forward pass that serves predictions builds no autograd graph");
        }
        finally
        {
            mlContext.Tcd().DisposeModel(featurizer);
        }
    }

    [Fact]
    public void PredictionEngine_gives_the_scores_of_Transform()
    {
        var mlContext = new MLContext(seed: 1);
        var model = TcdTestData.SentimentClassifier;
        var inputs = TcdTestData.Sentiment(1).ToList();
        var batched = mlContext.Data.CreateEnumerable<BinaryPrediction>(model.Transform(mlContext.Data.LoadFromEnumerable(inputs)), reuseRowObject: false).ToList();

        using var engine = mlContext.Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(model);
        var before = model.ForwardCount;
        var single = inputs.Select(engine.Predict).ToList();

        model.ForwardCount.Should().Be(before + inputs.Count, "one forward pass per row, shared by its three output columns");
        single.Select(p => p.Score).Should().Equal(batched.Select(p => p.Score), (a, b) => Math.Abs(a - b) < 1e-4);
        single.Select(p => p.PredictedLabel).Should().Equal(batched.Select(p => p.PredictedLabel));
    }

    [Fact]
    public void Features_feed_an_ordinary_MLNET_trainer()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment());
        var trainer = mlContext.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: "Label", featureColumnName: "Features", maximumNumberOfIterations: 20);

        var model = new TransformerChain<ITransformer>(TcdTestData.Teacher, trainer.Fit(TcdTestData.Teacher.Transform(data)));

        var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(data));
        metrics.Accuracy.Should().BeInRange(0, 1);
        using var engine = mlContext.Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(model);
        engine.Predict(new SentimentRow { Text = TcdTestData.Positive[0] }).Probability.Should().BeInRange(0, 1);
    }

    [Fact]
    public void Reading_the_same_transformed_view_again_and_again_logs_once_that_it_should_be_cached()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = new List<string>();
        mlContext.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) { lock (warnings) { warnings.Add(e.Message); } } };
        var options = TcdTestData.PretrainingOptions<BertPretrainingOptions>();
        options.Training = TcdTestData.FastPretraining(1);
        var teacher = mlContext.Tcd().PretrainTeacher(options).Fit(TcdTestData.Corpus(mlContext));
        var features = teacher.Transform(TcdTestData.Corpus(mlContext));
        for (var pass = 1; pass <= BertTransformer.UncachedPassesBeforeWarning; pass++)
        {
            features.GetColumn<string>("Text").Should().HaveCount(12);
        }

        warnings.Should().BeEmpty("passes that read only input columns do not run the network");
        for (var pass = 1; pass <= BertTransformer.UncachedPassesBeforeWarning + 1; pass++)
        {
            features.GetColumn<float[]>("Features").Should().HaveCount(12);
            warnings.Should().HaveCount(pass < BertTransformer.UncachedPassesBeforeWarning ? 0 : 1, $"after pass {pass}");
        }

        warnings[0].Should().Contain("read 3 times").And.Contain("mlContext.Data.Cache(");
    }

    [Fact]
    public void Transform_names_a_missing_text_column()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new ScoreRow() }.Select(r => new { Body = "x" }));
        var transform = () => TcdTestData.Teacher.Transform(data);
        transform.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*no column 'Text'*String*'Body'*");
    }

    [Fact]
    public void MLNET_Save_redirects_to_the_Tcd_catalog()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment(1));
        using var stream = new MemoryStream();
        var save = () => mlContext.Model.Save(TcdTestData.Teacher, data.Schema, stream);
        save.Should().Throw<Exception>().Where(e => Flatten(e).Any(m => m.Contains("mlContext.Tcd().SaveModel", StringComparison.Ordinal)));
    }

    private sealed class FeatureVector
    {
        public float[] Features { get; set; } = [];
    }

    private static IEnumerable<string> Flatten(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e.Message;
        }
    }
}
