using Tcd.Models.Evaluation;
using Tcd.Models.Runtime;
using static Tcd.Models.Tests.Training.FineTuningFixture;
using static Tcd.Models.Tests.Training.PretrainerFixture;

namespace Tcd.Models.Tests.Evaluation;

public sealed class SequenceClassifierPredictorTests
{
    [Fact]
    public void Outputs_do_not_depend_on_the_batch_and_progress_counts_the_rows_done()
    {
        using var model = NewClassifier(numLabels: 3);
        var inputs = SentimentExamples().Select(e => e.Input).ToList();
        var predictor = new SequenceClassifierPredictor(model, Encoder.SpecialTokenIds);
        var reports = new List<int>();

        var one = predictor.Predict(inputs, batchSize: 1);
        var several = predictor.Predict(inputs, batchSize: 3, new SynchronousProgress<int>(reports.Add));

        inputs.Count.Should().BeGreaterThan(3);
        one.Should().HaveCount(inputs.Count).And.OnlyContain(row => row.Length == 3);
        for (var i = 0; i < inputs.Count; i++)
        {
            several[i].Should().Equal(one[i], (a, b) => Math.Abs(a - b) < 1e-5, $"row {i} is padded differently in a batch of 3 but masked alike");
        }

        reports.Should().Equal(Enumerable.Range(1, (inputs.Count + 2) / 3).Select(batch => Math.Min(3 * batch, inputs.Count)));
        model.training.Should().BeTrue("the model's mode is restored after predicting");
    }

    [Fact]
    public void A_cancelled_prediction_returns_nothing()
    {
        using var model = NewClassifier();
        var predictor = new SequenceClassifierPredictor(model, Encoder.SpecialTokenIds);

        var act = () => predictor.Predict(SentimentExamples().Select(e => e.Input).ToList(), cancellationToken: new CancellationToken(canceled: true));

        act.Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void Probabilities_are_a_softmax_that_survives_large_logits()
    {
        SequenceClassifierPredictor.Probabilities([0f, MathF.Log(3f)]).Should().Equal([0.25f, 0.75f], (a, b) => Math.Abs(a - b) < 1e-6);
        SequenceClassifierPredictor.Probabilities([1000f, 1000f, 999f]).Should().Equal(
            [1 / (2 + 1 / MathF.E), 1 / (2 + 1 / MathF.E), 1 / (2 * MathF.E + 1)], (a, b) => Math.Abs(a - b) < 1e-6, "exp(1000) overflows a float; shifted by the max it does not");
    }
}
