using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;

namespace Tcd.MLNet.Tests.Transformers;

/// <summary>ML.NET's cancellation of the context (<c>CancelExecution</c>, as AutoML calls it) reaching a Transform under way.</summary>
public sealed class TransformCancellationTests : IDisposable
{
    private const int RowCount = 1000;

    /// <summary>The input row whose reading cancels the context: in the fourth window read ahead (see <see cref="BatchedCursor"/>).</summary>
    private const int CancellingRow = 40;

    private readonly string modelFile = Path.Combine(Path.GetTempPath(), $"tcd-cancel-{Guid.NewGuid():N}.zip");

    public void Dispose() => File.Delete(modelFile);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Cancelling_the_context_stops_a_Transform_at_its_next_batch_and_leaves_the_model_usable(bool fittedThere)
    {
        var mlContext = new MLContext(seed: 1);
        // A fitted transformer reads the cancellation on its estimator's host, a loaded one on the MLContext it was loaded in.
        var classifier = fittedThere ? Fit(mlContext) : Load(mlContext);
        var sentence = new SentimentRow { Text = TcdTestData.Negative[0] };
        var expected = Score(classifier, sentence);
        var forwardPassesAtCancel = -1;
        var rows = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, RowCount).Select(i =>
        {
            // LoadFromEnumerable enumerates lazily, so the context is cancelled as the transformer reads this row ahead.
            if (i == CancellingRow && forwardPassesAtCancel < 0)
            {
                forwardPassesAtCancel = classifier.ForwardCount;
                ExecutionCancellation.Cancel(mlContext);
            }

            return new SentimentRow { Text = TcdTestData.Positive[i % TcdTestData.Positive.Length] };
        }));
        var scored = classifier.Transform(rows);
        var served = 0;

        var read = () =>
        {
            using var cursor = scored.GetRowCursor([scored.Schema[FineTunedBertTransformer.ScoreColumnName]]);
            var score = cursor.GetGetter<float>(scored.Schema[FineTunedBertTransformer.ScoreColumnName]);
            var value = 0f;
            while (cursor.MoveNext())
            {
                score(ref value);
                served++;
            }
        };

        read.Should().Throw<OperationCanceledException>()
            .WithMessage($"FineTunedBertTransformer.Transform was cancelled by mlContext.CancelExecution() after {served} rows*");
        forwardPassesAtCancel.Should().BePositive("rows were scored before the cancellation");
        classifier.ForwardCount.Should().Be(forwardPassesAtCancel, "no batch runs once the context is cancelled");
        served.Should().BePositive().And.BeLessThan(CancellingRow, "the rows read ahead after the cancellation are never served");

        using var engine = new MLContext(seed: 2).Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(classifier);
        engine.Predict(sentence).Score.Should().Be(expected, "the network is left as it was");
        var again = mlContext.Data.LoadFromEnumerable(Enumerable.Repeat(sentence, 50));
        // Within 1e-5: a batch of rows multiplies matrices of another shape than a single row does.
        classifier.Transform(again).GetColumn<float>(FineTunedBertTransformer.ScoreColumnName).Should()
            .HaveCount(50, "a cursor begun after the cancellation runs, as AutoML's best model must once the trial's context is cancelled")
            .And.OnlyContain(score => Math.Abs(score - expected) < 1e-5f);
    }

    private static FineTunedBertTransformer Fit(MLContext mlContext) =>
        mlContext.Tcd().TextClassifier(TcdTestData.Teacher, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(1), TransformBatchSize = 4 })
            .Fit(mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment()));

    private FineTunedBertTransformer Load(MLContext mlContext)
    {
        mlContext.Tcd().SaveModel(TcdTestData.SentimentClassifier, mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment(1)).Schema, modelFile);
        return (FineTunedBertTransformer)mlContext.Tcd().LoadModel(modelFile, out _);
    }

    private static float Score(ITransformer model, SentimentRow row)
    {
        using var engine = new MLContext(seed: 1).Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(model);
        return engine.Predict(row).Score;
    }
}
